//! A minimal HTTP/1.1 client over a TCP stream: enough for GET and POST against our own
//! server, and free of dependencies whose features would change how the server builds.

use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// The body as text (lossy); `bytes` holds it exactly.
    pub body: String,
    pub bytes: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", self.body))
    }
}

pub async fn get(addr: SocketAddr, path: &str) -> Response {
    send(addr, "GET", path, None, &[], &[]).await
}

pub async fn get_with(addr: SocketAddr, path: &str, headers: &[(&str, &str)]) -> Response {
    send(addr, "GET", path, None, headers, &[]).await
}

pub async fn delete_with(addr: SocketAddr, path: &str, headers: &[(&str, &str)]) -> Response {
    send(addr, "DELETE", path, None, headers, &[]).await
}

/// POST with extra headers (a cookie, say).
pub async fn post_with(
    addr: SocketAddr,
    path: &str,
    content_type: &str,
    body: &[u8],
    headers: &[(&str, &str)],
) -> Response {
    send(addr, "POST", path, Some(content_type), headers, body).await
}

pub async fn post(addr: SocketAddr, path: &str, content_type: &str, body: &[u8]) -> Response {
    send(addr, "POST", path, Some(content_type), &[], body).await
}

/// POST as a feed client: the app's feed key in `Authorization`.
pub async fn post_keyed(
    app: &crate::support::TestApp,
    path: &str,
    content_type: &str,
    body: &[u8],
) -> Response {
    let key = format!("Bearer {}", app.key("feed").await);
    send(
        app.addr,
        "POST",
        path,
        Some(content_type),
        &[("Authorization", &key)],
        body,
    )
    .await
}

/// POST JSON with extra headers (`Accept: text/csv`, say).
pub async fn post_json_with(
    addr: SocketAddr,
    path: &str,
    body: &serde_json::Value,
    headers: &[(&str, &str)],
) -> Response {
    send_json(addr, "POST", path, body, headers).await
}

/// PUT JSON with extra headers.
pub async fn put_json_with(
    addr: SocketAddr,
    path: &str,
    body: &serde_json::Value,
    headers: &[(&str, &str)],
) -> Response {
    send_json(addr, "PUT", path, body, headers).await
}

async fn send_json(
    addr: SocketAddr,
    method: &str,
    path: &str,
    body: &serde_json::Value,
    headers: &[(&str, &str)],
) -> Response {
    let bytes = serde_json::to_vec(body).expect("JSON");
    send(
        addr,
        method,
        path,
        Some("application/json"),
        headers,
        &bytes,
    )
    .await
}

async fn send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    content_type: Option<&str>,
    extra_headers: &[(&str, &str)],
    body: &[u8],
) -> Response {
    let mut stream = TcpStream::connect(addr)
        .await
        .expect("connect to the test server");
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if let Some(ct) = content_type {
        head.push_str(&format!("Content-Type: {ct}\r\n"));
    }
    for (name, value) in extra_headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.expect("write head");
    // The server may answer (413) before reading a large body; a failed write is fine then.
    let _ = stream.write_all(body).await;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("read response");
    parse(&raw)
}

fn parse(raw: &[u8]) -> Response {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("response has a header block");
    let head = String::from_utf8_lossy(&raw[..split]);
    let mut lines = head.split("\r\n");
    let status_line = lines.next().expect("status line");
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("numeric status");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let payload = &raw[split + 4..];
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    let body = if chunked {
        dechunk(payload)
    } else {
        payload.to_vec()
    };
    Response {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
        bytes: body,
    }
}

fn dechunk(mut payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(line_end) = payload.windows(2).position(|w| w == b"\r\n") {
        let size_text = String::from_utf8_lossy(&payload[..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("0").trim(), 16)
            .expect("chunk size");
        if size == 0 {
            break;
        }
        let start = line_end + 2;
        out.extend_from_slice(&payload[start..start + size]);
        payload = &payload[start + size + 2..];
    }
    out
}
