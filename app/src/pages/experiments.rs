use leptos::prelude::*;

use crate::components::states::EmptyArea;

#[component]
pub fn ExperimentsPage() -> impl IntoView {
    view! {
        <EmptyArea
            title="Experiments"
            empty="No experiments yet"
            hint="A/B experiments with their lift, confidence intervals and sample-ratio checks appear here once `vitrine generate` has run."
        />
    }
}
