//! The discovery feed: the viewer's personalised cards, a page at a time, with a category
//! filter, a description search and, in the demo only, a switch between the demo's users. Everything is in the URL
//! (`?user=&category=&cursor=`), so it renders whole on the server and works without
//! JavaScript; once hydrated, "Load more" appends in place and the page logs what it shows
//! and how long each card is in view (`components::dwell`).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::feed::{fetch_categories, fetch_feed, fetch_planted_tastes, fetch_viewer};
use crate::components::dwell;
use crate::components::feed_card::{FeedCard, event, send, unique_key, urlencode};
use crate::components::states::{Empty, ErrorPanel, Loading};
use crate::wire::{
    CategoryCount, FeedContext, FeedEventKind, FeedItem, PlantedTastes, RecommendRequest,
    RecommendResponse,
};

/// The demo world's users (`vitrine generate`) and a visitor it has never seen.
const DEMO_USERS: [(&str, &str); 6] = [
    ("gen-0000000", "Demo user 1"),
    ("gen-0000001", "Demo user 2"),
    ("gen-0000002", "Demo user 3"),
    ("gen-0000003", "Demo user 4"),
    ("gen-0000004", "Demo user 5"),
    ("new-visitor", "A first-time visitor"),
];
const PAGE_SIZE: usize = 24;

fn request(user_id: String, category: Option<String>, cursor: Option<String>) -> RecommendRequest {
    RecommendRequest {
        user_id,
        num_recommendations: Some(PAGE_SIZE),
        context: FeedContext {
            category,
            text: None,
        },
        exclude_seen: None,
        cursor,
    }
}

#[component]
pub fn FeedPage() -> impl IntoView {
    let query = use_query_map();
    let param = move |name: &str| query.read().get(name).filter(|v| !v.trim().is_empty());
    // The demo's switch asks for a user; outside the demo the server serves the viewer's own
    // feed whatever is asked, and the page shows no switch.
    let user = move || param("user").unwrap_or_else(|| DEMO_USERS[0].0.to_owned());
    let page = Resource::new(
        move || (user(), param("category"), param("cursor")),
        |(user_id, category, cursor)| fetch_feed(request(user_id, category, cursor)),
    );
    let categories = Resource::new(|| (), |_| fetch_categories());
    let viewer = Resource::new(|| (), |_| fetch_viewer());
    let tastes = Resource::new(user, fetch_planted_tastes);
    view! {
        <Title text="Discover" />
        <header class="page-header">
            <h1>"Discover"</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let categories = categories.await.map(|list| list.categories).unwrap_or_default();
                    let demo = viewer.await.is_ok_and(|v| v.demo);
                    view! { <FeedControls demo user=user() category=param("category").unwrap_or_default() categories /> }
                })}
            </Suspense>
        </header>
        <form method="get" action="/similar" class="search-form" role="search">
            <input type="hidden" name="user" value=user />
            <label for="describe">"Find by description"</label>
            <input id="describe" type="search" name="text" required minlength="2" maxlength="200" placeholder="e.g. red summer dress" />
            <button class="button" type="submit">"Search"</button>
        </form>
        <Suspense fallback=|| view! { <Loading what="the feed" /> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(feed) => view! { <FeedGrid feed category=param("category") /> }.into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Suspense>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                tastes.await.ok().flatten().map(|planted| view! { <TastesLine planted /> })
            })}
        </Suspense>
    }
}

/// What the synthetic world planted for this user, to hold the feed against.
#[component]
fn TastesLine(planted: PlantedTastes) -> impl IntoView {
    let name = |label: &String| {
        label
            .split_once('=')
            .map_or(label.clone(), |(_, v)| v.to_owned())
    };
    let likes: Vec<String> = planted.likes.iter().map(name).collect();
    let dislikes: Vec<String> = planted.dislikes.iter().map(name).collect();
    view! {
        <p class="planted-tastes" data-testid="planted-tastes">
            "A synthetic user: the demo world planted their tastes. Likes: "
            <strong>{likes.join(", ")}</strong>
            {(!dislikes.is_empty()).then(|| view! { "; dislikes: " <strong>{dislikes.join(", ")}</strong> })}
            ". Pictures show silhouette, pattern and lightness; words show colour, material, fit, occasion and tone."
        </p>
    }
}

/// Which category, and in the demo who the feed is for, as a GET form (a select for each).
#[component]
fn FeedControls(
    demo: bool,
    user: String,
    category: String,
    categories: Vec<CategoryCount>,
) -> impl IntoView {
    let mut users: Vec<(String, String)> = DEMO_USERS
        .iter()
        .map(|(id, label)| ((*id).to_owned(), format!("{label} ({id})")))
        .collect();
    if !users.iter().any(|(id, _)| *id == user) {
        users.push((user.clone(), user.clone()));
    }
    let users = users
        .into_iter()
        .map(|(id, label)| {
            let selected = id == user;
            view! { <option value=id selected=selected>{label}</option> }
        })
        .collect_view();
    let categories = categories
        .into_iter()
        .map(|c| {
            let selected = c.name == category;
            view! { <option value=c.name.clone() selected=selected>{format!("{} ({})", c.name, c.items)}</option> }
        })
        .collect_view();
    view! {
        <form method="get" class="feed-controls" aria-label="Feed options">
            {demo.then(|| view! { <label>"Viewing as " <select name="user">{users}</select></label> })}
            <label>"Category "
                <select name="category">
                    <option value="">"All categories"</option>
                    {categories}
                </select>
            </label>
            <button class="button" type="submit">"Show"</button>
        </form>
    }
}

fn impressions(user_id: &str, items: &[FeedItem]) {
    send(
        items
            .iter()
            .map(|item| {
                let key = unique_key(FeedEventKind::Impression, item.item_id);
                event(FeedEventKind::Impression, user_id, item, key)
            })
            .collect(),
    );
}

#[component]
fn FeedGrid(feed: RecommendResponse, category: Option<String>) -> impl IntoView {
    if feed.items.is_empty() {
        return view! {
            <Empty title="Nothing to show" hint="This feed has no more items. Try another category." />
        }
        .into_any();
    }
    let user_id = feed.user_id.clone();
    let items = RwSignal::new(feed.items);
    let next = RwSignal::new(feed.next_cursor);
    let loading = RwSignal::new(false);
    // Effects run only in the browser: the first page's impressions, once it is on screen,
    // and the dwell on every card shown (again when "Load more" adds cards).
    let shown_user = user_id.clone();
    Effect::new(move |_| impressions(&shown_user, &items.get_untracked()));
    let watched_user = user_id.clone();
    Effect::new(move |_| {
        items.track();
        dwell::watch_cards(&watched_user);
    });
    on_cleanup(dwell::stop);
    let base = match &category {
        Some(c) => format!("/?user={}&category={}", urlencode(&user_id), urlencode(c)),
        None => format!("/?user={}", urlencode(&user_id)),
    };
    let more_href = {
        let base = base.clone();
        move || next.get().map(|cursor| format!("{base}&cursor={cursor}"))
    };
    let (more_user, more_category) = (user_id.clone(), category.clone());
    let load_more = move |ev: leptos::ev::MouseEvent| {
        let Some(cursor) = next.get_untracked() else {
            return;
        };
        ev.prevent_default();
        loading.set(true);
        let (user_id, category) = (more_user.clone(), more_category.clone());
        leptos::task::spawn_local(async move {
            if let Ok(page) = fetch_feed(request(user_id.clone(), category, Some(cursor))).await {
                impressions(&user_id, &page.items);
                items.update(|all| all.extend(page.items));
                next.set(page.next_cursor);
            }
            loading.set(false);
        });
    };
    // No model version: nothing is trained yet (the demo's first minutes).
    let before_model = feed.model_version.is_empty();
    let note = feed.fallback.then(|| {
        let text = if before_model {
            "The model is still being prepared: popular and trending items stand in, and the feed becomes personal when it is ready (progress on the System page)."
        } else {
            "No history for this user yet: popular and trending items stand in until they click."
        };
        view! { <p class="banner banner-info" data-testid="feed-note">{text}</p> }
    });
    view! {
        {note}
        <ul class="feed-grid" aria-label="Recommended for you">
            <For each=move || items.get() key=|item| item.item_id let:item>
                <FeedCard item user_id=user_id.clone() back=base.clone() />
            </For>
        </ul>
        <p class="feed-more">
            {move || more_href().map(|href| view! {
                <a class="button" href=href on:click=load_more.clone() aria-busy=move || loading.get().to_string()>
                    {move || if loading.get() { "Loading…" } else { "Load more" }}
                </a>
            })}
        </p>
    }
    .into_any()
}
