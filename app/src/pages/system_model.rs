//! The System page's model half: the served model and its index, what `doctor` finds between
//! SQL, LanceDB and the model, the training curve, the registry's versions, and the latest
//! offline evaluation.

use leptos::prelude::*;

use crate::components::chart::ChartFigure;
use crate::components::format::count;
use crate::components::states::Empty;
use crate::wire::{BackgroundJob, EvaluationSummary, ModelReport, ModelStatus, ModelVersionRow};

#[component]
pub fn ModelSection(report: ModelReport) -> impl IntoView {
    let index = if report.index_version.is_empty() {
        "none published: run `vitrine index`".to_owned()
    } else {
        report.index_version.clone()
    };
    let health = if report.problems.is_empty() && report.notes.is_empty() {
        view! {
            <div class="banner banner-ok" data-testid="agreement">
                <strong>"SQL and LanceDB agree. "</strong>
                "Every active item has content features and a vector, and the index comes from the served model."
            </div>
        }
        .into_any()
    } else if report.problems.is_empty() {
        let notes = report
            .notes
            .iter()
            .map(|n| view! { <li>{n.clone()}</li> })
            .collect_view();
        view! {
            <div class="banner banner-ok" data-testid="agreement">
                <strong>"SQL and LanceDB agree; nothing is broken. "</strong>
                "Work still to do, as designed (the feed serves meanwhile):"
                <ul>{notes}</ul>
            </div>
        }
        .into_any()
    } else {
        let problems = report
            .problems
            .iter()
            .map(|p| view! { <li>{p.clone()}</li> })
            .collect_view();
        view! {
            <div class="banner banner-warning" role="alert" data-testid="agreement">
                <strong>{format!("doctor found {} problem(s):", report.problems.len())}</strong>
                <ul>{problems}</ul>
            </div>
        }
        .into_any()
    };
    let curve = report.training_curve.clone().map(|c| {
        view! { <ChartFigure chart=c /> }
    });
    let background = report
        .background
        .clone()
        .map(|job| view! { <BackgroundJobCard job /> });
    view! {
        <h2 class="section-title" id="model-h">"Model and index"</h2>
        {health}
        {background}
        <div class="cards">
            <section class="card" aria-labelledby="served-h">
                <h3 id="served-h">{format!("Catalogue `{}`", report.catalogue)}</h3>
                <dl class="facts">
                    <dt>"Active items"</dt><dd>{count(report.items as i64)}</dd>
                    <dt>"Index"</dt><dd data-testid="index-version"><code>{index}</code></dd>
                    <dt>"Indexed items"</dt><dd>{count(report.indexed_items as i64)}</dd>
                </dl>
            </section>
            {match report.model.clone() {
                Some(model) => view! { <ModelFacts model /> }.into_any(),
                None => view! { <Empty title="No model yet" hint="Run `vitrine train`, then `vitrine index`, to serve a personalised feed." /> }.into_any(),
            }}
        </div>
        <div class="chart-grid">{curve}</div>
        <Versions versions=report.versions.clone() />
        {match report.evaluation.clone() {
            Some(evaluation) => view! { <Evaluation evaluation /> }.into_any(),
            None => view! { <Empty title="No evaluation report yet" hint="Run `vitrine evaluate` to compare the model with the baselines on a held-out split." /> }.into_any(),
        }}
    }
}

/// The demo's background job: stage, progress, time left, and the last epoch's metric.
#[component]
fn BackgroundJobCard(job: BackgroundJob) -> impl IntoView {
    let stage = match job.stage.as_str() {
        "done" => "finished: the feed serves the trained model".to_owned(),
        "failed" => format!("stopped: {}", job.error.clone().unwrap_or_default()),
        "extract" => "encoding item pictures and texts".to_owned(),
        "train" => "training the two-tower model".to_owned(),
        "index" => "publishing the item vectors".to_owned(),
        other => other.to_owned(),
    };
    let running = job.stage != "done" && job.stage != "failed";
    let left = job.seconds_left.map(|s| {
        let s = s.max(0.0).round() as u64;
        if s >= 60 {
            format!("{} min {} s", s / 60, s % 60)
        } else {
            format!("{s} s")
        }
    });
    view! {
        <section class="card" aria-labelledby="job-h" data-testid="background-job">
            <h3 id="job-h">"Background job"</h3>
            <dl class="facts">
                <dt>"Stage"</dt><dd data-testid="job-stage">{stage}</dd>
                {running.then(|| view! {
                    <dt>"Progress"</dt>
                    <dd>
                        <progress max="100" value=job.percent.to_string()></progress>
                        {format!(" {:.0}% ({} of {} {})", job.percent, job.done, job.total, job.unit)}
                    </dd>
                    <dt>"Time left"</dt><dd>{left.unwrap_or_else(|| "estimating".to_owned())}</dd>
                })}
                {job.valid_ndcg_at_10.map(|v| view! {
                    <dt>"Last epoch"</dt><dd>{format!("validation NDCG@10 {v:.4}")}</dd>
                })}
                <dt>"Done"</dt><dd>{if job.completed.is_empty() { "nothing yet".to_owned() } else { job.completed.join(", ") }}</dd>
                <dt>"Updated"</dt><dd>{job.updated_at.chars().take(19).collect::<String>().replace('T', " ")}</dd>
            </dl>
        </section>
    }
}

#[component]
fn ModelFacts(model: ModelStatus) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="weights-h">
            <h3 id="weights-h">"Served model"</h3>
            <dl class="facts">
                <dt>"Weights"</dt><dd data-testid="weights"><code>{model.weights_digest.chars().take(12).collect::<String>()}</code></dd>
                <dt>"Inputs"</dt><dd>{model.modalities.join(" + ")}</dd>
                <dt>"Dimensions"</dt><dd>{model.dim}</dd>
                <dt>"Best epoch"</dt><dd>{format!("{} of {}", model.epoch, model.epochs_run)}</dd>
                <dt>"Validation NDCG@10"</dt><dd data-testid="valid-ndcg">{format!("{:.4}", model.best_valid_ndcg_at_10)}</dd>
                {model.planted_ceiling_ndcg_at_10.map(|ceiling| view! {
                    <dt>"Planted ceiling"</dt>
                    <dd data-testid="planted-ceiling" title="The synthetic world's own click model, ranked on the same validation split: no model can expect to do better">
                        {format!("{ceiling:.4} (the model reaches {:.0}%)", 100.0 * model.best_valid_ndcg_at_10 / ceiling.max(f64::MIN_POSITIVE))}
                    </dd>
                })}
                <dt>"Published"</dt><dd>{model.published_at.map(|t| t.chars().take(16).collect::<String>().replace('T', " ")).unwrap_or_else(|| "unknown".into())}</dd>
            </dl>
        </section>
    }
}

#[component]
fn Evaluation(evaluation: EvaluationSummary) -> impl IntoView {
    let best = evaluation
        .models
        .iter()
        .map(|m| m.ndcg_at_10)
        .fold(f64::NEG_INFINITY, f64::max);
    let rows = evaluation
        .models
        .iter()
        .map(|m| {
            let top = (m.ndcg_at_10 == best).then_some("best");
            view! {
                <tr class=top>
                    <th scope="row">{m.model.clone()}</th>
                    <td class="num">{format!("{:.4}", m.ndcg_at_10)}</td>
                    <td class="num">{format!("{:.4}", m.hit_at_10)}</td>
                    <td class="num">{format!("{:.4}", m.mrr_at_10)}</td>
                    <td class="num">{format!("{:.4}", m.recall_at_10)}</td>
                    <td class="num">{format!("{:.1}%", m.coverage_at_20 * 100.0)}</td>
                    <td class="num">{m.best_epoch.map_or_else(|| "—".to_owned(), |e| e.to_string())}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="eval-h">
            <h2 id="eval-h" class="section-title">"Latest evaluation"</h2>
            <p class="muted">{format!(
                "`{}` on {}: {} users, {} items, {} interactions ({}-core); test split, full ranking.",
                evaluation.catalogue,
                evaluation.created_at.chars().take(10).collect::<String>(),
                count(evaluation.users as i64),
                count(evaluation.items as i64),
                count(evaluation.interactions as i64),
                evaluation.k_core
            )}</p>
            <div class="table-wrap">
                <table class="data-table" data-testid="evaluation">
                    <thead><tr>
                        <th scope="col">"Model"</th>
                        <th scope="col" class="num">"NDCG@10"</th>
                        <th scope="col" class="num">"Hit@10"</th>
                        <th scope="col" class="num">"MRR@10"</th>
                        <th scope="col" class="num">"Recall@10"</th>
                        <th scope="col" class="num">"Coverage@20"</th>
                        <th scope="col" class="num">"Best epoch"</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
fn Versions(versions: Vec<ModelVersionRow>) -> impl IntoView {
    if versions.is_empty() {
        return view! { <Empty title="No model versions yet" hint="Every `vitrine train` run registers one; `vitrine models promote` serves it." /> }.into_any();
    }
    let rows = versions
        .into_iter()
        .map(|v| {
            let state = if v.serving { "serving" } else { "candidate" };
            view! {
                <tr class=v.serving.then_some("best") data-testid="model-version">
                    <th scope="row"><code>{v.id.clone()}</code></th>
                    <td>{state}</td>
                    <td>{v.created_at.chars().take(16).collect::<String>().replace('T', " ")}</td>
                    <td class="num">{format!("{:.4}", v.valid_ndcg_at_10)}</td>
                    <td class="num">{v.epochs}</td>
                    <td class="num">{v.interactions_watermark.map_or_else(|| "—".to_owned(), count)}</td>
                    <td class="num">{v.features_version.map_or_else(|| "—".to_owned(), |f| f.to_string())}</td>
                    <td>{v.promoted.unwrap_or_else(|| "never".into())}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="versions-h">
            <h2 id="versions-h" class="section-title">"Model versions"</h2>
            <p class="muted">"Every trained model, newest first. `vitrine models promote` serves one (past the NDCG gate), `vitrine models rollback` the one before."</p>
            <div class="table-wrap">
                <table class="data-table" data-testid="model-versions">
                    <thead><tr>
                        <th scope="col">"Version"</th>
                        <th scope="col">"State"</th>
                        <th scope="col">"Trained"</th>
                        <th scope="col" class="num">"Validation NDCG@10"</th>
                        <th scope="col" class="num">"Epochs"</th>
                        <th scope="col" class="num">"Interactions up to"</th>
                        <th scope="col" class="num">"Features version"</th>
                        <th scope="col">"Last promoted"</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
    .into_any()
}
