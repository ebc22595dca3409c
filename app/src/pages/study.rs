//! One causal study's results: the effect with its interval and how far to trust it (the
//! pre-trend test of a DiD, the placebo test of a synthetic control), and the charts, the
//! placebo gaps among them.

use leptos::prelude::*;
use leptos_meta::Title;

use super::studies::method_name;
use crate::api::analytics::fetch_study_results;
use crate::components::chart::ChartFigure;
use crate::components::detail::{DetailError, route_id};
use crate::components::format::{p_value, signed_percent};
use crate::components::states::Loading;
use crate::wire::{DidReport, StudyResults, SynthReport};

#[component]
pub fn StudyPage() -> impl IntoView {
    let id = route_id("study");
    let results = Resource::new(id, |id| async move { fetch_study_results(id?).await });
    view! {
        <Suspense fallback=|| view! { <Loading what="the study" /> }>
            {move || Suspend::new(async move {
                match results.await {
                    Ok(results) => view! { <Results results /> }.into_any(),
                    Err(error) => view! {
                        <DetailError title="Causal study" back=("/studies", "Studies") error />
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

fn kpi(label: &'static str, value: String) -> impl IntoView {
    view! { <li class="kpi"><span class="kpi-label">{label}</span><span class="kpi-value">{value}</span></li> }
}

#[component]
fn Results(results: StudyResults) -> impl IntoView {
    let s = &results.study;
    let charts = results
        .charts
        .iter()
        .map(|c| {
            view! { <ChartFigure chart=c.clone() /> }
        })
        .collect_view();
    view! {
        <Title text=s.name.clone() />
        <nav aria-label="Breadcrumb" class="crumbs"><a href="/studies">"Studies"</a></nav>
        <header class="page-header">
            <h1>{s.name.clone()}</h1>
            <span class="chip">{method_name(s.method)}</span>
        </header>
        <p class="muted">{format!(
            "Daily {} from {} to {}; intervention from {} in {}; control: {}.",
            s.outcome, results.from, results.to, s.intervention_date, s.treated.join(", "), s.control.join(", ")
        )}</p>
        {results.did.clone().map(did_summary)}
        {results.synthetic.clone().map(synthetic_summary)}
        <section aria-labelledby="charts-h">
            <h2 id="charts-h" class="visually-hidden">"Charts"</h2>
            <div class="chart-grid">{charts}</div>
        </section>
        {results.did.clone().map(did_detail)}
        {results.synthetic.clone().map(synthetic_detail)}
    }
}

/// The effect, its interval, and the pre-trend reading.
fn did_summary(d: DidReport) -> AnyView {
    let trend_ok = d.pre_trend_p_value >= 0.05;
    view! {
        <ul class="kpis" aria-label="Effect" data-testid="study-effect">
            {kpi("Effect (relative)", signed_percent(d.relative_effect))}
            {kpi("95% interval", format!("{} to {}", signed_percent(d.relative_ci[0]), signed_percent(d.relative_ci[1])))}
            {kpi("p (two-way FE)", p_value(d.twfe.p_value))}
            {kpi("Geos × days", format!("{} × {}", d.units, d.periods))}
        </ul>
        <div class=if trend_ok { "banner banner-ok" } else { "banner banner-warning" } role=if trend_ok { "status" } else { "alert" }>
            <strong>{if trend_ok { "No sign of a pre-trend. " } else { "Pre-trend warning. " }}</strong>
            {format!(
                "The joint test of the leads gives F = {:.2}, p = {}: {}",
                d.pre_trend_statistic,
                p_value(d.pre_trend_p_value),
                if trend_ok { "treated and control geos moved together before the intervention." } else { "the geos already moved apart before the intervention, so the estimate may be biased." }
            )}
        </div>
    }
    .into_any()
}

/// The event study, day by day.
fn did_detail(d: DidReport) -> AnyView {
    let events = d
        .event_study
        .iter()
        .map(|e| {
            view! {
                <tr>
                    <th scope="row" class="num">{e.relative_day}</th>
                    <td class="num">{format!("{:+.4}", e.estimate)}</td>
                    <td class="num">{format!("{:+.4} to {:+.4}", e.ci[0], e.ci[1])}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="event-h">
            <h2 id="event-h" class="section-title">"Event study (log points against the day before)"</h2>
            <div class="table-wrap narrow-wrap">
                <table class="data-table">
                    <thead><tr>
                        <th scope="col" class="num">"Day"</th>
                        <th scope="col" class="num">"Estimate"</th>
                        <th scope="col" class="num">"95% interval"</th>
                    </tr></thead>
                    <tbody>{events}</tbody>
                </table>
            </div>
        </section>
    }
    .into_any()
}

/// The effect and the placebo test.
fn synthetic_summary(r: SynthReport) -> AnyView {
    view! {
        <ul class="kpis" aria-label="Effect" data-testid="study-effect">
            {kpi("Effect (relative)", signed_percent(r.relative_effect))}
            {kpi("Effect per day", format!("{:+.2}", r.effect))}
            {kpi("Placebo p", p_value(r.p_value))}
            {kpi("RMSPE ratio (post / pre)", format!("{:.2}", r.rmspe_ratio))}
        </ul>
        <p class="muted">{format!(
            "The placebo test refits the synthetic control with each of the {} donors as if it were treated; p is the share of all geos, the treated included, whose post/pre error ratio is at least the treated one's.",
            r.placebos
        )}</p>
    }
    .into_any()
}

/// Which donors make up the synthetic control.
fn synthetic_detail(r: SynthReport) -> AnyView {
    let mut weights = r.weights.clone();
    weights.sort_by(|a, b| b.weight.total_cmp(&a.weight));
    let rows = weights
        .iter()
        .filter(|w| w.weight >= 0.000_5)
        .map(|w| view! { <tr><th scope="row">{w.geo.clone()}</th><td class="num">{format!("{:.1}%", w.weight * 100.0)}</td></tr> })
        .collect_view();
    view! {
        <section aria-labelledby="weights-h">
            <h2 id="weights-h" class="section-title">"Donor weights"</h2>
            <div class="table-wrap narrow-wrap">
                <table class="data-table">
                    <thead><tr><th scope="col">"Geo"</th><th scope="col" class="num">"Weight"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
    .into_any()
}
