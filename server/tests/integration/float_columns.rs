//! Floats through SQL `double` columns (budgets, costs, revenue, interaction values), on SQLite
//! and on PostgreSQL, through the product's own connection: each finite value comes back bit
//! for bit. The one exception is SQLite's -0.0, which comes back as +0.0: SQLite stores a
//! REAL without a fractional part as an integer, and an integer has no negative zero. The two
//! are equal as numbers, and no metric of the product tells them apart.

use sea_orm::sea_query::{Alias, ColumnDef, Query, Table};
use sea_orm::{ConnectionTrait, DatabaseBackend};
use server::config::DatabaseSettings;
use server::data::rng::SplitMix64;
use server::db::Database;

use crate::postgres::postgres_url;

/// Edge cases, then seeded bit patterns over every exponent and seeded durations in seconds.
fn samples() -> Vec<f64> {
    let mut out = vec![
        0.0,
        -0.0,
        f64::MIN_POSITIVE,
        f64::from_bits(1), // the smallest subnormal
        -f64::from_bits(0x000f_ffff_ffff_ffff),
        f64::MAX,
        f64::MIN,
        f64::EPSILON,
        0.1,
        1.0 / 3.0,
        1.854_469_346,
    ];
    let mut rng = SplitMix64::new(0x5eed);
    while out.len() < 2_011 {
        let x = f64::from_bits(rng.next_u64());
        if x.is_finite() {
            out.push(x);
        }
    }
    for _ in 0..500 {
        let nanos = rng.next_u64() % 100_000_000_000;
        out.push(std::time::Duration::from_nanos(nanos).as_secs_f64());
    }
    out
}

/// Writes `values` into a fresh `double` column and reads them back in order.
async fn round_trip(db: &Database, values: &[f64]) -> Vec<f64> {
    let conn = db.conn();
    let table = Alias::new(format!("float_probe_{}", std::process::id()));
    let (i, v) = (Alias::new("i"), Alias::new("v"));
    conn.execute(
        &Table::create()
            .table(table.clone())
            .col(ColumnDef::new(i.clone()).integer().not_null().primary_key())
            .col(ColumnDef::new(v.clone()).double().not_null())
            .to_owned(),
    )
    .await
    .expect("create the probe table");
    for (chunk_start, chunk) in values.chunks(500).enumerate() {
        let mut insert = Query::insert();
        insert
            .into_table(table.clone())
            .columns([i.clone(), v.clone()]);
        for (offset, x) in chunk.iter().enumerate() {
            insert.values_panic([((chunk_start * 500 + offset) as i32).into(), (*x).into()]);
        }
        conn.execute(&insert).await.expect("insert");
    }
    let rows = conn
        .query_all(
            &Query::select()
                .column(v.clone())
                .from(table.clone())
                .order_by(i, sea_orm::sea_query::Order::Asc)
                .to_owned(),
        )
        .await
        .expect("select");
    conn.execute(&Table::drop().table(table).to_owned())
        .await
        .expect("drop the probe table");
    rows.iter()
        .map(|row| row.try_get::<f64>("", "v").expect("a double"))
        .collect()
}

fn check(backend: DatabaseBackend, values: &[f64], back: &[f64]) {
    assert_eq!(back.len(), values.len());
    let mut changed = Vec::new();
    for (x, y) in values.iter().zip(back) {
        let sqlite_zero = backend == DatabaseBackend::Sqlite && *x == 0.0 && *y == 0.0;
        if x.to_bits() != y.to_bits() && !sqlite_zero {
            changed.push((*x, *y));
        }
    }
    assert!(changed.is_empty(), "{backend:?} changed {changed:?}");
}

#[tokio::test]
async fn doubles_round_trip_exactly_on_sqlite_and_postgres() {
    let values = samples();
    let dir = tempfile::tempdir().expect("tempdir");
    let sqlite = crate::import_movielens::fresh_sqlite(dir.path()).await;
    let back = round_trip(&sqlite, &values).await;
    check(DatabaseBackend::Sqlite, &values, &back);
    assert_eq!(
        back[1].to_bits(),
        0.0f64.to_bits(),
        "SQLite's -0.0 reads +0.0"
    );

    let Some(url) = postgres_url() else { return };
    let postgres = Database::connect(&DatabaseSettings {
        url,
        ..Default::default()
    })
    .await
    .expect("postgres");
    let back = round_trip(&postgres, &values).await;
    check(DatabaseBackend::Postgres, &values, &back);
    assert_eq!(
        back[1].to_bits(),
        (-0.0f64).to_bits(),
        "PostgreSQL keeps -0.0"
    );
}
