//! "More like this": the items nearest an item (`/similar?item=42`) or a description
//! (`/similar?text=red+dress`) in the content tower's space, as feed cards.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::feed::{fetch_similar, fetch_viewer};
use crate::components::dwell;
use crate::components::feed_card::{FeedCard, urlencode};
use crate::components::states::{Empty, ErrorPanel, Loading};
use crate::error::{ApiError, ErrorCode};
use crate::wire::{SimilarRequest, SimilarResponse};

const SIMILAR: usize = 24;

#[component]
pub fn SimilarPage() -> impl IntoView {
    let query = use_query_map();
    let param = move |name: &str| query.read().get(name).filter(|v| !v.trim().is_empty());
    let viewer = Resource::new(|| (), |_| fetch_viewer());
    let answer = Resource::new(
        move || (param("item"), param("text")),
        |(item, text)| async move {
            let item_id = match item {
                Some(item) => Some(item.parse::<i64>().map_err(|_| {
                    ApiError::new(
                        ErrorCode::InvalidInput,
                        format!("`{item}` is not an item id"),
                    )
                })?),
                None => None,
            };
            if item_id.is_none() && text.is_none() {
                return Err(ApiError::new(
                    ErrorCode::InvalidInput,
                    "choose an item, or describe what you are looking for",
                ));
            }
            fetch_similar(SimilarRequest {
                item_id,
                text,
                k: Some(SIMILAR),
                category: None,
            })
            .await
        },
    );
    view! {
        <Suspense fallback=|| view! { <Loading what="similar items" /> }>
            {move || Suspend::new(async move {
                // The demo may view as someone else; otherwise the cards are the viewer's.
                let user = match viewer.await {
                    Ok(v) => v.shown(param("user"), "gen-0000000"),
                    Err(error) => return view! { <ErrorPanel error /> }.into_any(),
                };
                match answer.await {
                    Ok(answer) => view! {
                        <nav aria-label="Breadcrumb" class="crumbs"><a href=format!("/?user={}", urlencode(&user))>"Feed"</a></nav>
                        <Similar answer user_id=user text=param("text") />
                    }.into_any(),
                    Err(error) => view! {
                        <nav aria-label="Breadcrumb" class="crumbs"><a href="/">"Feed"</a></nav>
                        <Title text="More like this" />
                        <header class="page-header"><h1>"More like this"</h1></header>
                        <ErrorPanel error />
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Similar(answer: SimilarResponse, user_id: String, text: Option<String>) -> impl IntoView {
    let back = match (&answer.source, &text) {
        (Some(s), _) => format!("/similar?item={}&user={}", s.item_id, urlencode(&user_id)),
        (None, Some(t)) => format!(
            "/similar?text={}&user={}",
            urlencode(t),
            urlencode(&user_id)
        ),
        _ => "/".to_owned(),
    };
    let heading = match (&answer.source, &text) {
        (Some(s), _) => format!("More like “{}”", s.title),
        (None, Some(t)) => format!("Items matching “{t}”"),
        _ => "More like this".to_owned(),
    };
    // In the browser: the time on this item's page, and on each similar card in view.
    let source_id = answer.source.as_ref().map(|s| s.item_id);
    let watched_user = user_id.clone();
    Effect::new(move |_| {
        dwell::watch_cards(&watched_user);
        if let Some(item_id) = source_id {
            dwell::watch_item(&watched_user, item_id);
        }
    });
    on_cleanup(dwell::stop);
    let source = answer.source.clone().map(|s| {
        let picture = s
            .image_url
            .clone()
            .map(|src| view! { <img src=src alt=s.title.clone() width="160" height="160" /> });
        view! {
            <section class="card source-item" aria-label="The item">
                {picture}
                <div>
                    <p class="feed-title">{s.title.clone()}</p>
                    <span class="chip">{s.category.clone()}</span>
                </div>
            </section>
        }
    });
    let cards = if answer.items.is_empty() {
        view! { <Empty title="Nothing similar found" hint="Try another item or a different description." /> }.into_any()
    } else {
        let cards = answer
            .items
            .into_iter()
            .map(|item| view! { <FeedCard item user_id=user_id.clone() back=back.clone() /> })
            .collect_view();
        view! { <ul class="feed-grid" aria-label="Similar items">{cards}</ul> }.into_any()
    };
    view! {
        <Title text=heading.clone() />
        <header class="page-header"><h1>{heading}</h1></header>
        {source}
        <p class="muted">{format!("Nearest in the content tower's space ({}), from image and text together.", answer.query)}</p>
        {cards}
    }
}
