//! One campaign: KPI tiles, a chart of each metric by day (SVG drawn on the server), and the
//! table by day, creative, segment or geo. The range and the breakdown live in the URL
//! (`/campaigns/3?breakdown=creative&from=&to=`), so links and the GET form work without
//! JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::analytics::fetch_campaign_report;
use crate::components::chart::ChartFigure;
use crate::components::format::{count, money, money_or_dash, multiple, percent};
use crate::components::states::{ErrorPanel, Loading};
use crate::error::{ApiError, ErrorCode};
use crate::wire::{Breakdown, CampaignReport, CampaignReportRequest, ReportRow};

const BREAKDOWNS: [(Breakdown, &str, &str); 4] = [
    (Breakdown::Day, "day", "By day"),
    (Breakdown::Creative, "creative", "By creative"),
    (Breakdown::Segment, "segment", "By segment"),
    (Breakdown::Geo, "geo", "By geo"),
];

#[component]
pub fn CampaignPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let param = move |name: &str| query.read().get(name).filter(|v| !v.trim().is_empty());
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i32>().ok())
    };
    let breakdown = move || {
        let asked = param("breakdown");
        BREAKDOWNS
            .iter()
            .find(|b| asked.as_deref() == Some(b.1))
            .unwrap_or(&BREAKDOWNS[0])
            .0
    };
    let report = Resource::new(
        move || (id(), param("from"), param("to"), breakdown()),
        |(id, from, to, breakdown)| async move {
            let Some(campaign_id) = id else {
                return Err(ApiError::new(
                    ErrorCode::NotFound,
                    "there is no such campaign",
                ));
            };
            fetch_campaign_report(CampaignReportRequest {
                campaign_id,
                metrics: Vec::new(),
                from,
                to,
                breakdown: Some(breakdown),
                charts: true,
            })
            .await
        },
    );
    view! {
        <Suspense fallback=|| view! { <Loading what="the campaign" /> }>
            {move || Suspend::new(async move {
                match report.await {
                    Ok(report) => view! { <Report report breakdown=breakdown() /> }.into_any(),
                    Err(error) => {
                        // An empty range: the way to the campaign's own latest data.
                        let latest = (error.code == ErrorCode::NoData && param("from").is_some())
                            .then(|| id().map(|id| view! {
                                <p><a class="button" href=format!("/campaigns/{id}")>"Show its latest four weeks"</a></p>
                            }))
                            .flatten();
                        view! {
                            <Title text="Campaign" />
                            <nav aria-label="Breadcrumb" class="crumbs"><a href="/campaigns">"Campaigns"</a></nav>
                            <header class="page-header"><h1>"Campaign"</h1></header>
                            <ErrorPanel error />
                            {latest}
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn Report(report: CampaignReport, breakdown: Breakdown) -> impl IntoView {
    let cur = report.currency.clone();
    let t = report.totals.clone();
    let base = format!("/campaigns/{}", report.campaign_id);
    let range = format!("from={}&to={}", report.from, report.to);
    let tabs = BREAKDOWNS
        .iter()
        .map(|(b, key, label)| {
            let href = format!("{base}?breakdown={key}&{range}");
            let current = (*b == breakdown).then_some("page");
            view! { <li><a href=href aria-current=current>{*label}</a></li> }
        })
        .collect_view();
    let charts = report
        .charts
        .into_iter()
        .map(|c| {
            view! { <ChartFigure chart=c /> }
        })
        .collect_view();
    let first = match breakdown {
        Breakdown::Day => "Day",
        Breakdown::Creative => "Creative",
        Breakdown::Segment => "Segment",
        Breakdown::Geo => "Geo",
    };
    let rows = report
        .rows
        .into_iter()
        .map(|row| view! { <BreakdownRow row currency=cur.clone() /> })
        .collect_view();
    view! {
        <Title text=report.campaign_name.clone() />
        <nav aria-label="Breadcrumb" class="crumbs"><a href="/campaigns">"Campaigns"</a></nav>
        <header class="page-header">
            <h1>{report.campaign_name}</h1>
            <form method="get" class="range-form" aria-label="Date range">
                <input type="hidden" name="breakdown" value=BREAKDOWNS.iter().find(|b| b.0 == breakdown).map(|b| b.1) />
                <label>"From " <input type="date" name="from" value=report.from.clone() /></label>
                <label>"To " <input type="date" name="to" value=report.to.clone() /></label>
                <button class="button" type="submit">"Apply"</button>
            </form>
        </header>
        <p class="muted">
            {format!("{} to {}, days in {}; conversions within {} hours of a click", report.from, report.to, report.time_zone, report.attribution_window_hours)}
        </p>
        <ul class="kpis" aria-label="Totals">
            <li class="kpi"><span class="kpi-label">"Spend"</span><span class="kpi-value">{money(t.spend, &report.currency)}</span></li>
            <li class="kpi"><span class="kpi-label">"Impressions"</span><span class="kpi-value">{count(t.impressions)}</span></li>
            <li class="kpi"><span class="kpi-label">"CTR"</span><span class="kpi-value">{percent(t.ctr)}</span></li>
            <li class="kpi"><span class="kpi-label">"Conversions"</span><span class="kpi-value">{count(t.conversions)}</span></li>
            <li class="kpi"><span class="kpi-label">"CPA"</span><span class="kpi-value">{money_or_dash(t.cpa, &report.currency)}</span></li>
            <li class="kpi"><span class="kpi-label">"ROAS"</span><span class="kpi-value">{multiple(t.roas)}</span></li>
        </ul>
        <section aria-labelledby="trends"><h2 id="trends" class="section-title">"By day"</h2>
            <div class="chart-grid">{charts}</div>
        </section>
        <section aria-labelledby="breakdown">
            <h2 id="breakdown" class="section-title">"Breakdown"</h2>
            <ul class="tabs">{tabs}</ul>
            <div class="table-wrap">
                <table class="data-table">
                    <thead><tr>
                        <th scope="col">{first}</th>
                        <th scope="col" class="num">"Impressions"</th>
                        <th scope="col" class="num">"Clicks"</th>
                        <th scope="col" class="num">"CTR"</th>
                        <th scope="col" class="num">"Conversions"</th>
                        <th scope="col" class="num">"Spend"</th>
                        <th scope="col" class="num">"CPA"</th>
                        <th scope="col" class="num">"ROAS"</th>
                        <th scope="col" class="num">"Revenue"</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
fn BreakdownRow(row: ReportRow, currency: String) -> impl IntoView {
    let v = row.values;
    view! {
        <tr>
            <th scope="row">{row.label}</th>
            <td class="num">{count(v.impressions)}</td>
            <td class="num">{count(v.clicks)}</td>
            <td class="num">{percent(v.ctr)}</td>
            <td class="num">{count(v.conversions)}</td>
            <td class="num">{money(v.spend, &currency)}</td>
            <td class="num">{money_or_dash(v.cpa, &currency)}</td>
            <td class="num">{multiple(v.roas)}</td>
            <td class="num">{money(v.revenue, &currency)}</td>
        </tr>
    }
}
