//! The Experiments page: the caller's A/B tests (each links to its results) and a power
//! calculator. The calculator is a GET form whose answer is rendered on the server, so it works
//! without JavaScript; the browser checks the ranges first, the server checks them again.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::analytics::{compute_power, fetch_experiment_list};
use crate::components::format::count;
use crate::components::states::{Empty, ErrorPanel, Loading};
use crate::error::{ApiError, ErrorCode};
use crate::wire::{ExperimentList, PowerRequest};

#[component]
pub fn ExperimentsPage() -> impl IntoView {
    let list = Resource::new(|| (), |_| fetch_experiment_list());
    view! {
        <Title text="Experiments" />
        <header class="page-header">
            <h1>"Experiments"</h1>
        </header>
        <Suspense fallback=|| view! { <Loading what="your experiments" /> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(list) => view! { <ExperimentTable list /> <PowerCalculator /> }.into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// `2026-05-01T00:00:00+00:00` as `2026-05-01`.
pub fn day_of(rfc3339: &str) -> String {
    rfc3339.chars().take(10).collect()
}

#[component]
fn ExperimentTable(list: ExperimentList) -> impl IntoView {
    if list.experiments.is_empty() {
        return view! {
            <Empty title="No experiments yet" hint="Experiments created through the API appear here with their results." />
        }
        .into_any();
    }
    let campaign_name = |id: Option<i32>| {
        id.and_then(|id| list.campaigns.iter().find(|c| c.campaign_id == id))
            .map_or_else(|| "Platform".to_owned(), |c| c.name.clone())
    };
    let rows = list
        .experiments
        .iter()
        .map(|x| {
            let href = format!("/experiments/{}", x.id);
            let arms = x
                .arms
                .iter()
                .map(|a| a.name.as_str())
                .collect::<Vec<_>>()
                .join(" vs ");
            let status_class = format!("chip chip-{}", x.status);
            view! {
                <tr>
                    <th scope="row"><a href=href>{x.name.clone()}</a></th>
                    <td>{campaign_name(x.campaign_id)}</td>
                    <td><span class=status_class>{x.status.clone()}</span></td>
                    <td>{arms}</td>
                    <td>{x.primary_metric.replace('_', " ")}</td>
                    <td>{day_of(&x.starts_at)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="experiments-h">
            <h2 id="experiments-h" class="section-title">"Your experiments"</h2>
            <div class="table-wrap">
                <table class="data-table">
                    <thead><tr>
                        <th scope="col">"Experiment"</th>
                        <th scope="col">"Campaign"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Arms"</th>
                        <th scope="col">"Primary metric"</th>
                        <th scope="col">"Started"</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
    .into_any()
}

/// A number from the query, or `default` when absent.
fn number(value: Option<String>, default: f64) -> Result<f64, ApiError> {
    match value.filter(|v| !v.trim().is_empty()) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .ok_or_else(|| {
                ApiError::new(ErrorCode::InvalidInput, format!("`{v}` is not a number"))
            }),
    }
}

/// The power calculator: `?baseline=` (a rate, in percent), `lift=` (relative, in percent),
/// `alpha=`, `power=`.
#[component]
fn PowerCalculator() -> impl IntoView {
    let query = use_query_map();
    let get = move |name: &str| query.read().get(name);
    let asked = move || get("baseline").is_some();
    let answer = Resource::new(
        move || (get("baseline"), get("lift"), get("alpha"), get("power")),
        |(baseline, lift, alpha, power)| async move {
            if baseline.is_none() {
                return Ok(None);
            }
            let request = PowerRequest {
                baseline_rate: number(baseline, 5.0)? / 100.0,
                minimum_relative_lift: number(lift, 10.0)? / 100.0,
                alpha: number(alpha, 0.05)?,
                power: number(power, 0.8)?,
                ratio: 1.0,
            };
            compute_power(request).await.map(Some)
        },
    );
    let value = move |name: &str, default: &str| get(name).unwrap_or_else(|| default.to_owned());
    view! {
        <section class="card power" aria-labelledby="power-h" id="power">
            <h2 id="power-h">"Power calculator"</h2>
            <p class="muted">"How many users a two-arm test needs to detect a lift in a rate (two-sided, equal split)."</p>
            <form method="get" action="/experiments#power" class="power-form">
                <label>"Baseline rate (%)"
                    <input type="number" name="baseline" required min="0.01" max="99.99" step="any" value=value("baseline", "5") />
                </label>
                <label>"Smallest lift worth detecting (%, relative)"
                    <input type="number" name="lift" required min="0.1" max="1000" step="any" value=value("lift", "10") />
                </label>
                <label>"Significance level (α)"
                    <input type="number" name="alpha" required min="0.0001" max="0.5" step="any" value=value("alpha", "0.05") />
                </label>
                <label>"Power (1 − β)"
                    <input type="number" name="power" required min="0.5" max="0.9999" step="any" value=value("power", "0.8") />
                </label>
                <button class="button" type="submit">"Calculate"</button>
            </form>
            <Suspense fallback=|| view! { <Loading what="the sample size" /> }>
                {move || Suspend::new(async move {
                    match answer.await {
                        Ok(Some(a)) => view! {
                            <ul class="kpis" aria-label="Sample size" data-testid="power-answer">
                                <li class="kpi"><span class="kpi-label">"Control users"</span><span class="kpi-value">{count(a.control_units as i64)}</span></li>
                                <li class="kpi"><span class="kpi-label">"Treatment users"</span><span class="kpi-value">{count(a.treatment_units as i64)}</span></li>
                                <li class="kpi"><span class="kpi-label">"Total"</span><span class="kpi-value">{count(a.total_units as i64)}</span></li>
                                <li class="kpi"><span class="kpi-label">"Effect size (Cohen's h)"</span><span class="kpi-value">{format!("{:.4}", a.effect_size)}</span></li>
                            </ul>
                        }
                        .into_any(),
                        Ok(None) => view! { <p class="muted">{if asked() { "" } else { "Enter your numbers and press Calculate." }}</p> }.into_any(),
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
