use leptos::prelude::*;
use leptos_meta::Title;

use super::system_model::ModelSection;
use crate::api::system::{fetch_model_report, fetch_system_report};
use crate::components::states::{ErrorPanel, Loading};
use crate::wire::SystemReport;

/// Model, database and vector-store status: what `vitrine doctor` prints, live.
#[component]
pub fn SystemPage() -> impl IntoView {
    let report = Resource::new(|| (), |_| fetch_system_report());
    let model = Resource::new(|| (), |_| fetch_model_report());
    // Effects run only in the browser, so this flips once the page has hydrated. The end-to-end
    // suite waits on it before it clicks anything.
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));

    view! {
        <Title text="System" />
        <header class="page-header">
            <h1>"System"</h1>
            <button
                class="button"
                data-hydrated=move || hydrated.get().to_string()
                on:click=move |_| {
                    report.refetch();
                    model.refetch();
                }
            >
                "Refresh"
            </button>
        </header>
        <Suspense fallback=|| view! { <Loading what="the model's status" /> }>
            {move || Suspend::new(async move {
                match model.await {
                    Ok(report) => view! { <ModelSection report /> }.into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Suspense>
        <h2 class="section-title">"Runtime and storage"</h2>
        <Suspense fallback=|| view! { <Loading what="system status" /> }>
            {move || Suspend::new(async move {
                match report.await {
                    Ok(report) => view! { <ReportView report /> }.into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ReportView(report: SystemReport) -> impl IntoView {
    let SystemReport {
        vitrine_version,
        torch,
        database,
        vectors,
    } = report;
    let cuda = if torch.cuda_available {
        format!("available, {} device(s)", torch.cuda_devices)
    } else {
        "not available".to_owned()
    };
    let migrations = if database.pending_migrations.is_empty() {
        format!("{} applied, up to date", database.applied_migrations.len())
    } else {
        format!(
            "{} applied, {} pending",
            database.applied_migrations.len(),
            database.pending_migrations.len()
        )
    };
    let tables = if vectors.tables.is_empty() {
        "none yet".to_owned()
    } else {
        vectors.tables.join(", ")
    };
    view! {
        <div class="cards">
            <section class="card" aria-labelledby="torch-h">
                <h3 id="torch-h">"Model runtime"</h3>
                <dl class="facts">
                    <dt>"libtorch"</dt><dd data-testid="libtorch-version">{torch.libtorch_version}</dd>
                    <dt>"CUDA"</dt><dd data-testid="cuda">{cuda}</dd>
                    <dt>"cuDNN"</dt><dd>{if torch.cudnn_available { "available" } else { "not available" }}</dd>
                    <dt>"Device"</dt><dd>{torch.device}</dd>
                    <dt>"Library"</dt><dd><code>{torch.library_path}</code></dd>
                </dl>
            </section>
            <section class="card" aria-labelledby="db-h">
                <h3 id="db-h">"Database"</h3>
                <dl class="facts">
                    <dt>"Engine"</dt><dd data-testid="db-kind">{database.kind}</dd>
                    <dt>"URL"</dt><dd><code>{database.url}</code></dd>
                    <dt>"Migrations"</dt><dd data-testid="migrations">{migrations}</dd>
                </dl>
            </section>
            <section class="card" aria-labelledby="vec-h">
                <h3 id="vec-h">"Vector store"</h3>
                <dl class="facts">
                    <dt>"LanceDB"</dt><dd><code>{vectors.uri}</code></dd>
                    <dt>"Tables"</dt><dd data-testid="lance-tables">{tables}</dd>
                </dl>
            </section>
        </div>
        <p class="muted">"Vitrine " {vitrine_version}</p>
    }
}
