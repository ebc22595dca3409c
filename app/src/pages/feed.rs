use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::feed::fetch_feed;
use crate::components::states::{Empty, ErrorPanel, Loading};
use crate::wire::{FeedContext, FeedItem, RecommendRequest, RecommendResponse};

/// The first user of the demo world (`vitrine generate`), shown when the URL names none.
const DEMO_USER: &str = "gen-0000000";
const PAGE_SIZE: usize = 24;

/// The personalised feed of one user, a page at a time (`?user=...&cursor=...`); plain links,
/// so it works before hydration and without JavaScript.
#[component]
pub fn FeedPage() -> impl IntoView {
    let query = use_query_map();
    let user = move || {
        query
            .read()
            .get("user")
            .filter(|u| !u.trim().is_empty())
            .unwrap_or_else(|| DEMO_USER.to_owned())
    };
    let cursor = move || query.read().get("cursor");
    let page = Resource::new(
        move || (user(), cursor()),
        |(user_id, cursor)| {
            fetch_feed(RecommendRequest {
                user_id,
                num_recommendations: Some(PAGE_SIZE),
                context: FeedContext::default(),
                exclude_seen: None,
                cursor,
            })
        },
    );
    view! {
        <Title text="Discover" />
        <header class="page-header">
            <h1>"Discover"</h1>
            <form method="get" class="user-form">
                <label>"Feed for user " <input name="user" value=user /></label>
                <button class="button" type="submit">"Show"</button>
            </form>
        </header>
        <Suspense fallback=|| view! { <Loading what="the feed" /> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(feed) => view! { <FeedGrid feed /> }.into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn FeedGrid(feed: RecommendResponse) -> impl IntoView {
    if feed.items.is_empty() {
        return view! { <Empty title="Nothing to show" hint="This feed has no more items." /> }
            .into_any();
    }
    let note = feed.fallback.then(|| {
        view! {
            <p class="muted">
                "No history for this user yet: popular and trending items stand in."
            </p>
        }
    });
    let more = feed.next_cursor.map(|cursor| {
        let href = format!("/?user={}&cursor={cursor}", feed.user_id);
        view! { <a class="button" href=href>"Load more"</a> }
    });
    view! {
        {note}
        <ul class="feed-grid">
            {feed.items.into_iter().map(|item| view! { <FeedCard item /> }).collect_view()}
        </ul>
        <p class="feed-more">{more}</p>
    }
    .into_any()
}

#[component]
fn FeedCard(item: FeedItem) -> impl IntoView {
    let picture = item.image_url.map(|src| {
        view! { <img src=src alt=item.title.clone() loading="lazy" width="112" height="112" /> }
    });
    let badge = item
        .sponsored
        .map(|_| view! { <span class="badge">"Sponsored"</span> });
    view! {
        <li class="feed-card" data-item=item.item_id.to_string()>
            {picture}
            <div>
                <p class="feed-title">{item.title}</p>
                <p class="muted">{item.category} " " {badge}</p>
            </div>
        </li>
    }
}
