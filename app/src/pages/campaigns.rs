use leptos::prelude::*;

use crate::components::states::EmptyArea;

#[component]
pub fn CampaignsPage() -> impl IntoView {
    view! {
        <EmptyArea
            title="Campaigns"
            empty="No campaigns yet"
            hint="Generate the demo world with `vitrine generate`; each advertiser's campaigns, spend and outcomes appear here."
        />
    }
}
