//! The Campaigns page: the caller's campaigns over a date range, as KPI tiles and a sortable
//! table. Everything is in the URL (`?from=&to=&sort=&dir=`): the range form is a GET and the
//! column headers are links, so it works the same before hydration and without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::analytics::fetch_campaign_list;
use crate::components::format::{count, money, money_or_dash, multiple, percent};
use crate::components::states::{Empty, ErrorPanel, Loading};
use crate::wire::{CampaignList, CampaignListRequest, CampaignSummary};

/// The sortable columns: (query key, header).
const COLUMNS: [(&str, &str); 9] = [
    ("name", "Campaign"),
    ("status", "Status"),
    ("spend", "Spend"),
    ("impressions", "Impressions"),
    ("ctr", "CTR"),
    ("conversions", "Conversions"),
    ("cpa", "CPA"),
    ("roas", "ROAS"),
    ("revenue", "Revenue"),
];

#[component]
pub fn CampaignsPage() -> impl IntoView {
    let query = use_query_map();
    let param = move |name: &str| query.read().get(name).filter(|v| !v.trim().is_empty());
    let list = Resource::new(
        move || (param("from"), param("to")),
        |(from, to)| fetch_campaign_list(CampaignListRequest { from, to }),
    );
    let sort = move || param("sort").unwrap_or_else(|| "spend".to_owned());
    let descending = move || param("dir").as_deref() != Some("asc");
    view! {
        <Title text="Campaigns" />
        <header class="page-header">
            <h1>"Campaigns"</h1>
        </header>
        <Suspense fallback=|| view! { <Loading what="your campaigns" /> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(list) => view! { <CampaignTable list sort=sort() descending=descending() /> }.into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn sort_key(c: &CampaignSummary, column: &str) -> f64 {
    let v = &c.values;
    match column {
        "impressions" => v.impressions as f64,
        "ctr" => v.ctr.unwrap_or(f64::NEG_INFINITY),
        "conversions" => v.conversions as f64,
        "cpa" => v.cpa.unwrap_or(f64::INFINITY),
        "roas" => v.roas.unwrap_or(f64::NEG_INFINITY),
        "revenue" => v.revenue,
        _ => v.spend,
    }
}

#[component]
fn CampaignTable(list: CampaignList, sort: String, descending: bool) -> impl IntoView {
    if list.campaigns.is_empty() {
        return view! {
            <Empty title="No campaigns yet" hint="Campaigns you create appear here with their spend and outcomes." />
        }
        .into_any();
    }
    let mut campaigns = list.campaigns;
    campaigns.sort_by(|a, b| match sort.as_str() {
        "name" => a.name.cmp(&b.name),
        "status" => a.status.cmp(&b.status),
        column => sort_key(a, column).total_cmp(&sort_key(b, column)),
    });
    if descending {
        campaigns.reverse();
    }
    let range = (list.from.clone(), list.to.clone());
    let range_form = view! {
        <form method="get" class="range-form" aria-label="Date range">
            <label>"From " <input type="date" name="from" value=list.from.clone() /></label>
            <label>"To " <input type="date" name="to" value=list.to.clone() /></label>
            <input type="hidden" name="sort" value=sort.clone() />
            <button class="button" type="submit">"Apply"</button>
        </form>
    };
    let tiles = list.totals.map(|t| {
        let cur = list.currency.clone().unwrap_or_default();
        view! {
            <ul class="kpis" aria-label="Totals">
                <Kpi label="Spend" value=money(t.spend, &cur) />
                <Kpi label="Impressions" value=count(t.impressions) />
                <Kpi label="CTR" value=percent(t.ctr) />
                <Kpi label="Conversions" value=count(t.conversions) />
                <Kpi label="CPA" value=money_or_dash(t.cpa, &cur) />
                <Kpi label="ROAS" value=multiple(t.roas) />
            </ul>
        }
    });
    let headers = COLUMNS
        .iter()
        .map(|(key, label)| {
            let current = sort == *key;
            let next_dir = if current && descending { "asc" } else { "desc" };
            let href = format!(
                "/campaigns?from={}&to={}&sort={key}&dir={next_dir}",
                range.0, range.1
            );
            let aria = current.then_some(if descending {
                "descending"
            } else {
                "ascending"
            });
            view! { <th scope="col" aria-sort=aria><a href=href>{*label}</a></th> }
        })
        .collect_view();
    view! {
        <div class="toolbar">
            <p class="muted">{format!("{} to {}", list.from, list.to)}</p>
            {range_form}
        </div>
        {tiles}
        <div class="table-wrap">
            <table class="data-table">
                <caption class="visually-hidden">"Campaigns and their totals over the range"</caption>
                <thead><tr>{headers}</tr></thead>
                <tbody>
                    {campaigns
                        .into_iter()
                        .map(|c| view! { <CampaignRow c range=range.clone() /> })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn Kpi(label: &'static str, value: String) -> impl IntoView {
    view! {
        <li class="kpi"><span class="kpi-label">{label}</span><span class="kpi-value">{value}</span></li>
    }
}

#[component]
fn CampaignRow(c: CampaignSummary, range: (String, String)) -> impl IntoView {
    let v = c.values;
    let cur = c.currency;
    // A campaign with nothing in the list's range opens on its own latest data instead.
    let href = if v.impressions > 0 || v.spend > 0.0 {
        format!(
            "/campaigns/{}?from={}&to={}",
            c.campaign_id, range.0, range.1
        )
    } else {
        format!("/campaigns/{}", c.campaign_id)
    };
    view! {
        <tr>
            <th scope="row">
                <a href=href>
                    {c.name}
                </a>
                <span class="muted small">{c.advertiser}</span>
            </th>
            <td><span class=format!("chip chip-{}", c.status)>{c.status.clone()}</span></td>
            <td class="num">{money(v.spend, &cur)}</td>
            <td class="num">{count(v.impressions)}</td>
            <td class="num">{percent(v.ctr)}</td>
            <td class="num">{count(v.conversions)}</td>
            <td class="num">{money_or_dash(v.cpa, &cur)}</td>
            <td class="num">{multiple(v.roas)}</td>
            <td class="num">{money(v.revenue, &cur)}</td>
        </tr>
    }
}
