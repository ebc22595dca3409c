//! A chart the server drew, as the pages show it: a captioned card around its SVG.

use leptos::prelude::*;

use crate::wire::Chart;

#[component]
pub fn ChartFigure(chart: Chart) -> impl IntoView {
    view! {
        <figure class="chart card">
            <figcaption>{chart.title}</figcaption>
            <div class="chart-svg" inner_html=chart.svg></div>
        </figure>
    }
}
