use leptos::prelude::*;

use crate::components::states::EmptyArea;

#[component]
pub fn FeedPage() -> impl IntoView {
    view! {
        <EmptyArea
            title="Discover"
            empty="No items in the catalogue yet"
            hint="Import the demo catalogue with `vitrine import fashion`, then extract features and build the index; the personalised feed appears here."
        />
    }
}
