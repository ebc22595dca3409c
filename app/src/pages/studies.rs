use leptos::prelude::*;

use crate::components::states::EmptyArea;

#[component]
pub fn StudiesPage() -> impl IntoView {
    view! {
        <EmptyArea
            title="Causal studies"
            empty="No studies yet"
            hint="Difference-in-differences and synthetic-control studies appear here once `vitrine generate` has run."
        />
    }
}
