//! The dashboard in a browser's shoes, without JavaScript: the sign-in form, the campaign list
//! rendered on the server, and friendly pages for wrong credentials and a missing session.

use crate::analytics_world::serve;
use crate::auth_support::{advertiser_account, world};
use crate::http_client::{get_with, post};

fn form(email: &str, password: &str, next: &str) -> Vec<u8> {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    format!(
        "email={}&password={}&next={}",
        enc(email),
        enc(password),
        enc(next)
    )
    .into_bytes()
}

const FORM: &str = "application/x-www-form-urlencoded";

#[tokio::test]
async fn signing_in_shows_the_advertisers_campaigns_and_failures_read_as_words() {
    let (app, _) = serve().await;
    let (password, _) = advertiser_account(&app, "Contoso Footwear", "ads@contoso.example").await;

    // No session: the page says to sign in, with no trace of an error code's internals.
    let page = get_with(app.addr, "/campaigns", &[]).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("Please sign in")
            && page.body.contains("href=\"/login?next=/campaigns\""),
        "{}",
        page.body
    );

    // Wrong password: back to the form, which says so in words.
    let wrong = post(
        app.addr,
        "/session",
        FORM,
        &form("ads@contoso.example", "nope", "/campaigns"),
    )
    .await;
    assert_eq!(wrong.status, 303);
    assert_eq!(wrong.header("location"), Some("/login?error=credentials"));
    let login = get_with(app.addr, "/login?error=credentials", &[]).await;
    assert!(
        login.body.contains("do not match an account"),
        "{}",
        login.body
    );

    // The right one: a session cookie, and on to a local page only.
    let ok = post(
        app.addr,
        "/session",
        FORM,
        &form("ads@contoso.example", &password, "//evil.example"),
    )
    .await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    assert_eq!(ok.header("location"), Some("/campaigns"));
    let set = ok
        .header("set-cookie")
        .expect("a session cookie")
        .to_owned();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax"),
        "{set}"
    );
    let cookie = set.split(';').next().expect("name=value").to_owned();

    let mine = get_with(app.addr, "/campaigns", &[("Cookie", &cookie)]).await;
    assert_eq!(mine.status, 200);
    assert!(
        mine.body.contains("<table") && mine.body.contains("Contoso Footwear"),
        "{}",
        mine.body
    );
    assert!(
        !mine.body.contains("Northwind"),
        "another advertiser's campaigns leak"
    );

    // A campaign's page: charts drawn on the server; another advertiser's is "not found".
    let w = world(&app, "Contoso Footwear").await;
    let own = get_with(
        app.addr,
        &format!("/campaigns/{}", w.own_campaign),
        &[("Cookie", &cookie)],
    )
    .await;
    assert_eq!(own.status, 200);
    assert_eq!(own.body.matches("<svg").count(), 6, "a chart per metric");
    let theirs = get_with(
        app.addr,
        &format!("/campaigns/{}", w.their_campaign),
        &[("Cookie", &cookie)],
    )
    .await;
    assert!(
        theirs.body.contains("Not found") && !theirs.body.contains("<svg"),
        "{}",
        theirs.body
    );

    // Signing out ends the session: the same cookie no longer works.
    let out = post_with_cookie(&app, "/session/end", &cookie).await;
    assert_eq!(out.header("location"), Some("/login?signed_out=1"));
    let after = get_with(app.addr, "/campaigns", &[("Cookie", &cookie)]).await;
    assert!(after.body.contains("Please sign in"), "{}", after.body);
    app.stop().await;
}

async fn post_with_cookie(
    app: &crate::support::TestApp,
    path: &str,
    cookie: &str,
) -> crate::http_client::Response {
    crate::http_client::post_with(app.addr, path, FORM, b"", &[("Cookie", cookie)]).await
}
