//! The Studies page: the caller's causal studies (each links to its results) and the form that
//! sets up a new one. The form posts to `/forms/study` and works without JavaScript; with it,
//! the browser checks the geo choice before sending. The server checks everything again and,
//! when it refuses, sends the visitor back here with its message and what they entered.

use std::collections::BTreeSet;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::analytics::fetch_study_list;
use crate::components::states::{Empty, ErrorPanel, Loading};
use crate::wire::{StudyList, StudyMethod};

pub fn method_name(method: StudyMethod) -> &'static str {
    match method {
        StudyMethod::Did => "Difference-in-differences",
        StudyMethod::SyntheticControl => "Synthetic control",
    }
}

#[component]
pub fn StudiesPage() -> impl IntoView {
    let list = Resource::new(|| (), |_| fetch_study_list());
    view! {
        <Title text="Causal studies" />
        <header class="page-header">
            <h1>"Causal studies"</h1>
            <a class="button" href="#new-study">"New study"</a>
        </header>
        <Suspense fallback=|| view! { <Loading what="your studies" /> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(list) => view! { <StudyTable list=list.clone() /> <StudyForm list /> }.into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn StudyTable(list: StudyList) -> impl IntoView {
    if list.studies.is_empty() {
        return view! {
            <Empty title="No studies yet" hint="Set one up below: pick the geos that got the intervention, the ones that did not, and the day it began." />
        }
        .into_any();
    }
    let rows = list
        .studies
        .iter()
        .map(|s| {
            let campaign = list
                .campaigns
                .iter()
                .find(|c| c.campaign_id == s.campaign_id)
                .map_or_else(|| format!("Campaign {}", s.campaign_id), |c| c.name.clone());
            view! {
                <tr>
                    <th scope="row"><a href=format!("/studies/{}", s.id)>{s.name.clone()}</a></th>
                    <td>{method_name(s.method)}</td>
                    <td>{campaign}</td>
                    <td>{s.outcome.clone()}</td>
                    <td class="wrap">{s.treated.join(", ")}</td>
                    <td class="wrap">{s.control.join(", ")}</td>
                    <td>{s.intervention_date.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="studies-h">
            <h2 id="studies-h" class="section-title">"Your studies"</h2>
            <div class="table-wrap">
                <table class="data-table">
                    <thead><tr>
                        <th scope="col">"Study"</th>
                        <th scope="col">"Method"</th>
                        <th scope="col">"Campaign"</th>
                        <th scope="col">"Outcome"</th>
                        <th scope="col">"Treated"</th>
                        <th scope="col">"Control"</th>
                        <th scope="col">"Intervention"</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
    .into_any()
}

/// What the browser can check before sending: a geo on each side, and none on both.
fn check_geos(
    treated: &BTreeSet<String>,
    control: &BTreeSet<String>,
    synthetic: bool,
) -> Option<String> {
    if treated.is_empty() {
        return Some("Choose at least one treated geo.".into());
    }
    if control.len() < if synthetic { 2 } else { 1 } {
        return Some(if synthetic {
            "A synthetic control needs at least two control geos.".into()
        } else {
            "Choose at least one control geo.".into()
        });
    }
    treated
        .intersection(control)
        .next()
        .map(|g| format!("{g} cannot be both treated and control."))
}

#[component]
fn StudyForm(list: StudyList) -> impl IntoView {
    let query = use_query_map();
    let q = query.get_untracked();
    let refused = q.get("error");
    let entered = |name: &str| q.get(name).unwrap_or_default();
    let chosen = |name: &str| -> BTreeSet<String> {
        q.get_all(name).unwrap_or_default().into_iter().collect()
    };
    let treated = RwSignal::new(chosen("treated"));
    let control = RwSignal::new(chosen("control"));
    let synthetic = RwSignal::new(entered("method") == "synthetic_control");
    let problem = RwSignal::new(refused.clone());
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        if let Some(message) = check_geos(&treated.get(), &control.get(), synthetic.get()) {
            ev.prevent_default();
            problem.set(Some(message));
        }
    };
    let campaign = entered("campaign_id");
    let campaigns = list
        .campaigns
        .iter()
        .map(|c| {
            let id = c.campaign_id.to_string();
            let selected = id == campaign;
            view! { <option value=id selected=selected>{c.name.clone()}</option> }
        })
        .collect_view();
    let outcome = entered("outcome");
    let outcomes = ["conversions", "clicks", "impressions", "spend", "revenue"]
        .into_iter()
        .map(|o| view! { <option value=o selected=o == outcome>{o}</option> })
        .collect_view();
    let geo_boxes = move |side: &'static str, set: RwSignal<BTreeSet<String>>| {
        list.geos
            .iter()
            .map(|g| {
                let geo = g.clone();
                let checked = set.get_untracked().contains(g);
                let id = format!("{side}-{g}");
                view! {
                    <label class="check" for=id.clone()>
                        <input type="checkbox" id=id.clone() name=side value=g.clone() checked=checked
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                set.update(|s| { if on { s.insert(geo.clone()); } else { s.remove(&geo); } });
                            } />
                        {g.clone()}
                    </label>
                }
            })
            .collect_view()
    };
    let treated_boxes = geo_boxes("treated", treated);
    let control_boxes = geo_boxes("control", control);
    view! {
        <section class="card" aria-labelledby="new-study-h" id="new-study">
            <h2 id="new-study-h">"Set up a study"</h2>
            <p class="muted">"Compare geos that got an intervention (a TV flight, a price change) with geos that did not, on one campaign's daily outcome."</p>
            {move || problem.get().map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
            <form method="post" action="/forms/study" class="study-form" on:submit=on_submit>
                <label>"Name"
                    <input name="name" required maxlength="120" value=entered("name") placeholder="Spring TV flight, by geo" />
                </label>
                <label>"Campaign"
                    <select name="campaign_id" required>{campaigns}</select>
                </label>
                <fieldset class="choices">
                    <legend>"Method"</legend>
                    <label class="check"><input type="radio" name="method" value="did" checked=!synthetic.get_untracked() on:change=move |_| synthetic.set(false) />"Difference-in-differences"</label>
                    <label class="check"><input type="radio" name="method" value="synthetic_control" checked=synthetic.get_untracked() on:change=move |_| synthetic.set(true) />"Synthetic control"</label>
                </fieldset>
                <label>"Outcome"
                    <select name="outcome" required>{outcomes}</select>
                </label>
                <label>"First day of the intervention"
                    <input type="date" name="intervention_date" required value=entered("intervention_date") />
                </label>
                <fieldset class="choices geos"><legend>"Treated geos"</legend>{treated_boxes}</fieldset>
                <fieldset class="choices geos"><legend>"Control geos"</legend>{control_boxes}</fieldset>
                <button class="button" type="submit">"Create and analyse"</button>
            </form>
        </section>
    }
}
