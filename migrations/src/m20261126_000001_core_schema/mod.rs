//! The core schema. Tables are created parents first and dropped children first.

mod advertising;
mod catalogue;
mod studies;

use sea_orm_migration::prelude::*;

pub struct Migration;

/// Named by hand: the derive would take the file name, which is `mod` for a folder module.
impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261126_000001_core_schema"
    }
}

// The trait is declared with an elided `SchemaManager` lifetime, and async-trait refuses a
// named or anonymous one here; the rust-2018-idioms lint would otherwise insist on it.
#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in catalogue::tables()
            .into_iter()
            .chain(advertising::tables())
            .chain(studies::tables())
        {
            manager.create_table(table).await?;
        }
        for index in catalogue::indexes()
            .into_iter()
            .chain(advertising::indexes())
            .chain(studies::indexes())
        {
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let names = studies::names()
            .into_iter()
            .rev()
            .chain(advertising::names().into_iter().rev())
            .chain(catalogue::names().into_iter().rev());
        for name in names {
            manager
                .drop_table(Table::drop().table(name).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}

/// A foreign key from `from.column` to `to.id`.
fn fk(
    from: impl IntoIden,
    column: impl IntoIden,
    to: impl IntoIden,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from_tbl(from)
        .from_col(column)
        .to_tbl(to)
        .to_col(Alias::new("id"))
        .on_delete(on_delete)
        .to_owned()
}

/// A (non-unique unless `unique`) index named after its table and columns.
fn index<T: IntoIden + Copy, C: IntoIden + Copy>(
    table: T,
    columns: &[C],
    unique: bool,
) -> IndexCreateStatement {
    let table_name = table.into_iden().to_string();
    let column_names: Vec<String> = columns.iter().map(|c| c.into_iden().to_string()).collect();
    let mut statement = Index::create();
    statement
        .name(format!("idx_{table_name}_{}", column_names.join("_")))
        .table(table);
    for column in columns {
        statement.col(*column);
    }
    if unique {
        statement.unique();
    }
    statement.to_owned()
}
