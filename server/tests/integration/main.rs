//! Integration tests: the real server on port 0, against SQLite in a temp folder and against
//! the PostgreSQL that the test script starts (`VITRINE_TEST_POSTGRES_URL`).

mod analytics;
mod analytics_campaigns;
mod analytics_client;
mod analytics_reports;
mod analytics_world;
mod auth;
mod auth_support;
mod auth_tenants;
mod catalogue;
mod catalogue_cli;
mod catalogue_update;
mod dashboard;
mod dashboard_pages;
mod deletion;
mod encoders;
mod extract;
mod fashion_world;
mod feed_page;
mod generate;
mod http_client;
mod import_fashion;
mod import_movielens;
mod kill;
mod model_experiment;
mod pages;
mod postgres;
mod registry;
mod retraining;
mod routes;
mod serving;
mod serving_live;
mod serving_world;
mod support;
mod two_tower;
