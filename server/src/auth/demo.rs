//! The demo's accounts: `<advertiser-name>@<demo_domain>` for each advertiser, and
//! `admin@<demo_domain>`, all with `auth.demo_password`. Idempotent: existing accounts are kept.

use app::error::ErrorCode;
use sea_orm::EntityTrait;

use super::Auth;
use crate::db::entities::advertiser;

/// `Northwind Apparel` -> `northwind-apparel`.
pub fn slug(name: &str) -> String {
    name.to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// Creates the missing demo accounts; returns the e-mails created.
///
/// # Errors
/// The database's, or a refused account.
pub async fn seed(
    auth: &Auth,
    password: &str,
    domain: &str,
) -> Result<Vec<String>, app::error::ApiError> {
    let advertisers = advertiser::Entity::find()
        .all(auth.db())
        .await
        .map_err(|e| crate::failure::database("listing the demo's advertisers", e))?;
    let mut created = Vec::new();
    let wanted = advertisers
        .iter()
        .map(|a| {
            (
                format!("{}@{domain}", slug(&a.name)),
                "advertiser",
                Some(a.id),
            )
        })
        .chain(std::iter::once((format!("admin@{domain}"), "admin", None)));
    for (email, role, advertiser) in wanted {
        match auth
            .create_account(&email, password, role, advertiser)
            .await
        {
            Ok(_) => created.push(email),
            Err(e) if e.code == ErrorCode::Conflict => {}
            Err(e) => return Err(e),
        }
    }
    Ok(created)
}

#[cfg(test)]
mod tests {
    #[test]
    fn advertiser_names_become_slugs() {
        assert_eq!(super::slug("Northwind Apparel"), "northwind-apparel");
        assert_eq!(super::slug("  Café & Co. "), "caf-co");
    }
}
