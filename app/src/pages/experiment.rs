//! One experiment's results: the sample-ratio check first (a failed split makes every number
//! suspect), the sequential reading of the primary metric, the arms, and per metric the lift
//! with its interval and the p-values before and after correction for multiple metrics.

use leptos::prelude::*;
use leptos_meta::Title;

use super::experiments::day_of;
use crate::api::analytics::fetch_experiment_results;
use crate::components::chart::ChartFigure;
use crate::components::detail::{DetailError, route_id};
use crate::components::format::{count, p_value, percent, signed_percent};
use crate::components::states::Loading;
use crate::wire::{ExperimentResults, MetricResult, SequentialResult, SrmResult};

#[component]
pub fn ExperimentPage() -> impl IntoView {
    let id = route_id("experiment");
    let results = Resource::new(id, |id| async move { fetch_experiment_results(id?).await });
    view! {
        <Suspense fallback=|| view! { <Loading what="the experiment's results" /> }>
            {move || Suspend::new(async move {
                match results.await {
                    Ok(results) => view! { <Results results /> }.into_any(),
                    Err(error) => view! {
                        <DetailError title="Experiment" back=("/experiments", "Experiments") error />
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

/// A metric's value as people read it: rates in percent, dwell in seconds, costs in money,
/// per-user amounts as decimals.
fn metric_value(metric: &str, value: f64) -> String {
    match metric {
        "ctr" | "save_rate" | "cvr" | "clicking_users" => percent(Some(value)),
        "dwell_per_click" => format!("{value:.1} s"),
        "cpa" | "cpc" => format!("{value:.2}"),
        _ => format!("{value:.4}"),
    }
}

/// A cost: a fall is the good direction.
fn lower_is_better(metric: &str) -> bool {
    matches!(metric, "cpa" | "cpc")
}

/// An arm's value, with its own interval under it where the metric has one.
fn arm_value(metric: &str, value: f64, interval: Option<[f64; 2]>) -> impl IntoView + use<> {
    let interval = interval.map(|[low, high]| {
        view! {
            <br />
            <span class="muted small">
                {format!("{} … {}", metric_value(metric, low), metric_value(metric, high))}
            </span>
        }
    });
    let value = metric_value(metric, value);
    view! { {value}{interval} }
}

fn metric_label(metric: &str) -> String {
    match metric {
        "ctr" => "CTR".to_owned(),
        "cvr" => "CVR".to_owned(),
        "cpa" => "CPA".to_owned(),
        "cpc" => "CPC".to_owned(),
        other => {
            let words = other.replace('_', " ");
            let mut chars = words.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect())
                .unwrap_or_default()
        }
    }
}

#[component]
fn Results(results: ExperimentResults) -> impl IntoView {
    let x = &results.experiment;
    let level = format!("{:.0}%", results.confidence * 100.0);
    let version_of = |arm: &str| {
        x.arms
            .iter()
            .find(|a| a.name == arm)
            .and_then(|a| a.model_version.clone())
    };
    let models = x.arms.iter().all(|a| a.model_version.is_some());
    let about_models = models.then(|| {
        view! {
            <p class="banner banner-info" data-testid="model-experiment">
                "The feed's traffic is split between model versions: each arm's users get feeds ranked by its version. A user counts once their first feed is ranked in the experiment; impressions, clicks and saves come from the feed's events, and a save counts as a conversion."
            </p>
        }
    });
    let arms = results
        .arms
        .iter()
        .map(|a| {
            let version = version_of(&a.name).map(|v| view! { <code>{v}</code> });
            view! {
                <tr>
                    <th scope="row">{a.name.clone()}" "{version}</th>
                    <td class="num">{format!("{:.0}%", a.weight * 100.0)}</td>
                    <td class="num">{count(a.users as i64)}</td>
                    <td class="num">{count(a.impressions)}</td>
                    <td class="num">{count(a.clicks)}</td>
                    <td class="num">{count(a.saves)}</td>
                    <td class="num">{format!("{:.0} s", a.dwell_seconds)}</td>
                    <td class="num">{count(a.conversions)}</td>
                    <td class="num">{format!("{:.2}", a.revenue)}</td>
                </tr>
            }
        })
        .collect_view();
    let metrics = results
        .metrics
        .iter()
        .map(|m| view! { <MetricRow m=m.clone() primary=m.metric == x.primary_metric /> })
        .collect_view();
    // Untested metrics keep their row, so the table always reads the same way.
    let untested = results
        .untested
        .iter()
        .map(|u| {
            view! {
                <tr class="untested" data-metric=u.metric.clone()>
                    <th scope="row">{metric_label(&u.metric)}</th>
                    <td>{u.arm.clone()}</td>
                    <td colspan="8" class="muted">{capitalised(&u.reason)}</td>
                </tr>
            }
        })
        .collect_view();
    let charts = results
        .charts
        .iter()
        .map(|c| {
            view! { <ChartFigure chart=c.clone() /> }
        })
        .collect_view();
    let ends = x
        .ends_at
        .as_deref()
        .map(day_of)
        .unwrap_or_else(|| "open-ended".to_owned());
    view! {
        <Title text=x.name.clone() />
        <nav aria-label="Breadcrumb" class="crumbs"><a href="/experiments">"Experiments"</a></nav>
        <header class="page-header">
            <h1>{x.name.clone()}</h1>
            <span class=format!("chip chip-{}", x.status)>{x.status.clone()}</span>
        </header>
        <p class="lead">{x.hypothesis.clone()}</p>
        <p class="muted">{format!("From {} to {ends}; primary metric {}; {level} intervals; p-values corrected across {} tests (Holm, and Benjamini–Hochberg).", day_of(&x.starts_at), metric_label(&x.primary_metric), results.metrics.len())}</p>
        {about_models}
        <Srm srm=results.srm.clone() />
        {results.sequential.clone().map(|s| view! { <Sequential s /> })}
        <section aria-labelledby="metrics-h">
            <h2 id="metrics-h" class="section-title">"Results by metric"</h2>
            <div class="table-wrap">
                <table class="data-table compact" data-testid="metric-results">
                    <thead><tr>
                        <th scope="col">"Metric"</th>
                        <th scope="col">"Arm"</th>
                        <th scope="col" class="num">"Control"</th>
                        <th scope="col" class="num">"Treatment"</th>
                        <th scope="col" class="num">"Lift"</th>
                        <th scope="col" class="num">{format!("{level} CI of lift")}</th>
                        <th scope="col" class="num">"p"</th>
                        <th scope="col" class="num">"p (Holm)"</th>
                        <th scope="col" class="num">"p (BH)"</th>
                        <th scope="col">"Verdict"</th>
                    </tr></thead>
                    <tbody>{metrics}{untested}</tbody>
                </table>
            </div>
            <div class="chart-grid">{charts}</div>
        </section>
        <section aria-labelledby="arms-h">
            <h2 id="arms-h" class="section-title">"Arms"</h2>
            <div class="table-wrap">
                <table class="data-table">
                    <thead><tr>
                        <th scope="col">"Arm"</th>
                        <th scope="col" class="num">"Planned share"</th>
                        <th scope="col" class="num">"Users"</th>
                        <th scope="col" class="num">"Impressions"</th>
                        <th scope="col" class="num">"Clicks"</th>
                        <th scope="col" class="num">"Saves"</th>
                        <th scope="col" class="num">"Dwell"</th>
                        <th scope="col" class="num">"Conversions"</th>
                        <th scope="col" class="num">"Revenue"</th>
                    </tr></thead>
                    <tbody>{arms}</tbody>
                </table>
            </div>
        </section>
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[component]
fn MetricRow(m: MetricResult, primary: bool) -> impl IntoView {
    let interval = format!(
        "{} … {}",
        signed_percent(m.relative_ci[0]),
        signed_percent(m.relative_ci[1])
    );
    let improved = (m.relative > 0.0) != lower_is_better(&m.metric);
    let (verdict, class) = match (m.significant, improved) {
        (true, true) => ("Better", "chip chip-good"),
        (true, false) => ("Worse", "chip chip-bad"),
        (false, _) => ("Inconclusive", "chip"),
    };
    let title = format!(
        "{} ({})",
        m.method,
        if primary { "primary" } else { "secondary" }
    );
    view! {
        <tr>
            <th scope="row" title=title>{metric_label(&m.metric)}{primary.then_some(" ★")}</th>
            <td>{m.arm.clone()}</td>
            <td class="num">{arm_value(&m.metric, m.control, m.control_ci)}</td>
            <td class="num">{arm_value(&m.metric, m.treatment, m.treatment_ci)}</td>
            <td class="num">{signed_percent(m.relative)}</td>
            <td class="num">{interval}</td>
            <td class="num">{p_value(m.p_value)}</td>
            <td class="num">{p_value(m.p_holm)}</td>
            <td class="num">{p_value(m.p_bh)}</td>
            <td><span class=class>{verdict}</span></td>
        </tr>
    }
}

#[component]
fn Srm(srm: SrmResult) -> impl IntoView {
    let shares = |v: &[f64]| {
        v.iter()
            .map(|s| format!("{:.1}%", s * 100.0))
            .collect::<Vec<_>>()
            .join(" / ")
    };
    let detail = format!(
        "Observed {} against planned {} (χ² = {:.2}, p = {}).",
        shares(&srm.observed_shares),
        shares(&srm.expected_shares),
        srm.statistic,
        p_value(srm.p_value)
    );
    if srm.flagged {
        view! {
            <div class="banner banner-warning" role="alert" data-testid="srm">
                <strong>"Sample ratio mismatch. "</strong>
                "The arms did not get the traffic they were planned to get, so assignment or logging is broken and these results should not be trusted. "
                {detail}
            </div>
        }
        .into_any()
    } else {
        view! {
            <div class="banner banner-ok" data-testid="srm">
                <strong>"Traffic split as planned. "</strong>
                {detail}
            </div>
        }
        .into_any()
    }
}

#[component]
fn Sequential(s: SequentialResult) -> impl IntoView {
    let (title, class) = if s.conclusive {
        (
            "Conclusive: safe to stop",
            "card sequential sequential-done",
        )
    } else {
        ("Keep running: not yet conclusive", "card sequential")
    };
    view! {
        <section class=class aria-labelledby="seq-h" data-testid="sequential">
            <h2 id="seq-h">{title}</h2>
            <p>{format!(
                "Always-valid reading of {} after {} daily looks: p = {}, absolute lift between {:.4} and {:.4}. It stays valid however often you look.",
                metric_label(&s.metric), s.looks, p_value(s.p_value), s.interval[0], s.interval[1]
            )}</p>
        </section>
    }
}
