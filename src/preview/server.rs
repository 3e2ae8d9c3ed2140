//! The preview's web server (tiny_http, a thread per request): it listens on 127.0.0.1
//! only, answers only requests from this machine whose `Host` names this server (a page
//! elsewhere cannot reach it through a DNS name rebound to 127.0.0.1) and whose address
//! starts with the token, and serves nothing but its own page, script and stylesheet
//! (compiled in), the pages it laid out (SVG), their state and events, and the places of
//! clicks. No address is ever mapped to a file: the manuscript's files cannot be reached.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tiny_http::{Header, Method, Request, Response, Server};

use super::source_map;
use super::state::Shared;

/// The browser side, written by hand and compiled in (no build step, no Node toolchain).
const INDEX_HTML: &str = include_str!("client/index.html");
const APP_JS: &str = include_str!("client/app.js");
const APP_CSS: &str = include_str!("client/app.css");
const ICON_SVG: &str = include_str!("client/icon.svg");

/// Most requests handled at once (event streams included); more are refused with 503.
const MAX_ACTIVE: usize = 64;

/// How often an idle event stream sends a comment, to find out that the browser left.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// The policy every answer carries: scripts, styles, images and fetches from this server
/// only, no frames, no forms, no plugins.
const CSP: &str =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
/// A page's SVG, if opened on its own: no scripts at all.
const SVG_CSP: &str = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'none'";

/// What a request asks for, once it passed the checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// The page (`/TOKEN/`).
    Index,
    /// `/TOKEN` without the slash: sent to the page.
    AddSlash,
    /// The script.
    Script,
    /// The stylesheet.
    Style,
    /// The tab's icon.
    Icon,
    /// The state as JSON.
    State,
    /// The event stream (server-sent events).
    Events,
    /// Page `index` (0-based) with frame hash `hash`, as SVG.
    Page { index: usize, hash: u128 },
    /// The manuscript place of a point on a page (`?page=&x=&y=`, `&open=1` for the editor).
    Source,
    /// The page and height of a manuscript line (`?at=file:line`).
    Locate,
}

/// Why a request is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// The HTTP status.
    pub status: u16,
    /// What the browser is told.
    pub message: &'static str,
}

fn refuse(status: u16, message: &'static str) -> Refused {
    Refused { status, message }
}

/// Checks a request (its peer, `Host` header, method and address) and finds its route.
/// `path` is the address without the query, exactly as sent (never decoded: no spelling of
/// `..` or of another path can name anything but a route).
pub fn check(shared: &Shared, peer: Option<&SocketAddr>, host: Option<&str>, method: &Method, path: &str) -> Result<Route, Refused> {
    if !peer.is_some_and(|p| p.ip().is_loopback()) {
        return Err(refuse(403, "the preview answers only this machine"));
    }
    let port = shared.port;
    let host_ok = host.is_some_and(|h| h == format!("127.0.0.1:{port}") || h == format!("localhost:{port}"));
    if !host_ok {
        return Err(refuse(403, "the preview answers only requests for 127.0.0.1 or localhost with its port"));
    }
    if *method != Method::Get {
        return Err(refuse(405, "the preview answers only GET"));
    }
    let Some(rest) = path.strip_prefix('/') else { return Err(refuse(403, "open the address `reportpress preview` printed (with its token)")) };
    let (token, rest) = match rest.split_once('/') {
        Some((token, rest)) => (token, Some(rest)),
        None => (rest, None),
    };
    if !shared.token.matches(token) {
        return Err(refuse(403, "open the address `reportpress preview` printed (with its token)"));
    }
    let Some(rest) = rest else { return Ok(Route::AddSlash) };
    let route = match rest {
        "" => Route::Index,
        "app.js" => Route::Script,
        "app.css" => Route::Style,
        "icon.svg" => Route::Icon,
        "state" => Route::State,
        "events" => Route::Events,
        "source" => Route::Source,
        "locate" => Route::Locate,
        _ => page_route(rest).ok_or(refuse(404, "no such page"))?,
    };
    Ok(route)
}

/// `page/<index>/<32 hex digits>.svg`.
fn page_route(rest: &str) -> Option<Route> {
    let rest = rest.strip_prefix("page/")?;
    let (index, file) = rest.split_once('/')?;
    let hash = file.strip_suffix(".svg")?;
    let digits = |s: &str, n: usize| !s.is_empty() && s.len() <= n && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(index, 6) || hash.len() != 32 || !hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    Some(Route::Page { index: index.parse().ok()?, hash: u128::from_str_radix(hash, 16).ok()? })
}

/// Answers requests until the server stops.
pub fn serve(server: Server, shared: Arc<Shared>) {
    let active = Arc::new(AtomicUsize::new(0));
    for request in server.incoming_requests() {
        if active.load(Ordering::SeqCst) >= MAX_ACTIVE {
            let _ = request.respond(text(503, "the preview is busy; try again"));
            continue;
        }
        active.fetch_add(1, Ordering::SeqCst);
        let (shared, active) = (shared.clone(), active.clone());
        std::thread::spawn(move || {
            handle(request, &shared);
            active.fetch_sub(1, Ordering::SeqCst);
        });
    }
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).unwrap_or_else(|()| Header::from_bytes("X-Invalid", "1").expect("constant header"))
}

/// An answer with the headers every answer carries.
fn answer(status: u16, content_type: &str, body: Vec<u8>, cache: &str, csp: &str) -> Response<std::io::Cursor<Vec<u8>>> {
    Response::from_data(body)
        .with_status_code(status)
        .with_header(header("Content-Type", content_type))
        .with_header(header("Cache-Control", cache))
        .with_header(header("Content-Security-Policy", csp))
        .with_header(header("X-Content-Type-Options", "nosniff"))
        .with_header(header("Referrer-Policy", "no-referrer"))
        .with_header(header("Cross-Origin-Resource-Policy", "same-origin"))
}

fn text(status: u16, message: &str) -> Response<std::io::Cursor<Vec<u8>>> {
    answer(status, "text/plain; charset=utf-8", format!("{message}\n").into_bytes(), "no-store", CSP)
}

fn json(value: &serde_json::Value) -> Response<std::io::Cursor<Vec<u8>>> {
    answer(200, "application/json", value.to_string().into_bytes(), "no-store", CSP)
}

fn handle(request: Request, shared: &Shared) {
    let url = request.url().to_string();
    let (path, query) = url.split_once('?').unwrap_or((url.as_str(), ""));
    let host = request.headers().iter().find(|h| h.field.equiv("Host")).map(|h| h.value.as_str().to_string());
    let route = check(shared, request.remote_addr(), host.as_deref(), request.method(), path);
    let query: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    let param = |name: &str| query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let response = match route {
        Err(refused) => text(refused.status, refused.message),
        Ok(Route::AddSlash) => text(302, "see the page").with_header(header("Location", &format!("/{}/", shared.token.as_str()))),
        Ok(Route::Index) => answer(200, "text/html; charset=utf-8", INDEX_HTML.as_bytes().to_vec(), "no-store", CSP),
        Ok(Route::Script) => answer(200, "text/javascript; charset=utf-8", APP_JS.as_bytes().to_vec(), "no-store", CSP),
        Ok(Route::Style) => answer(200, "text/css; charset=utf-8", APP_CSS.as_bytes().to_vec(), "no-store", CSP),
        Ok(Route::Icon) => answer(200, "image/svg+xml", ICON_SVG.as_bytes().to_vec(), "no-store", SVG_CSP),
        Ok(Route::State) => json(&shared.json()),
        Ok(Route::Events) => return stream_events(request, shared),
        Ok(Route::Page { index, hash }) => page(shared, index, hash),
        Ok(Route::Source) => source(shared, param("page"), param("x"), param("y"), param("open") == Some("1")),
        Ok(Route::Locate) => locate(shared, param("at")),
    };
    let _ = request.respond(response);
}

/// Page `index` as SVG, if the current build has it with that hash (drawn once per hash).
fn page(shared: &Shared, index: usize, hash: u128) -> Response<std::io::Cursor<Vec<u8>>> {
    let built = {
        let state = shared.lock();
        let Some(built) = state.built.clone().filter(|b| b.pages.get(index).is_some_and(|p| p.hash == hash)) else {
            return text(404, "this page changed; the preview shows the new one");
        };
        if let Some(svg) = state.svgs.get(hash) {
            return answer(200, "image/svg+xml", svg.as_bytes().to_vec(), "private, max-age=31536000, immutable", SVG_CSP);
        }
        built
    };
    let Some(svg) = built.svg(index) else { return text(404, "no such page") };
    let svg = Arc::new(svg);
    {
        let mut state = shared.lock();
        // Kept only while the current build still has the page.
        if state.built.as_ref().is_some_and(|b| b.pages.iter().any(|p| p.hash == hash)) {
            state.svgs.insert(hash, svg.clone());
        }
    }
    answer(200, "image/svg+xml", svg.as_bytes().to_vec(), "private, max-age=31536000, immutable", SVG_CSP)
}

/// The manuscript place of a point on a page; with `open`, the editor is started there.
fn source(shared: &Shared, page: Option<&str>, x: Option<&str>, y: Option<&str>, open: bool) -> Response<std::io::Cursor<Vec<u8>>> {
    let number = |v: Option<&str>| v.and_then(|v| v.parse::<f64>().ok()).filter(|v| v.is_finite());
    let (Some(page), Some(x), Some(y)) = (page.and_then(|p| p.parse::<usize>().ok()), number(x), number(y)) else {
        return text(400, "give page, x and y");
    };
    let Some(built) = shared.lock().built.clone() else { return text(404, "nothing is laid out yet") };
    let clicked = source_map::at_point(&built, page, x, y);
    let mut value = serde_json::to_value(&clicked).unwrap_or(serde_json::Value::Null);
    if open
        && let (Some(editor), Some(clicked)) = (&shared.editor, &clicked)
        && let (Some(file), Some(line), Some(column)) = (&clicked.file, clicked.line, clicked.column)
    {
        let path = built.prepared.manuscript.root.join(file);
        let opened = editor.open(&path, line, column);
        value["opened"] = serde_json::json!(opened.is_ok());
        if let Err(message) = opened {
            value["editor_error"] = serde_json::json!(message);
        }
    }
    json(&value)
}

/// Where a manuscript line (`text/02.md:14`) is laid out.
fn locate(shared: &Shared, at: Option<&str>) -> Response<std::io::Cursor<Vec<u8>>> {
    let Some((file, line)) = at.and_then(source_map::parse_place) else { return text(400, "give at=FILE:LINE, e.g. at=text/02.md:14") };
    let Some(built) = shared.lock().built.clone() else { return text(404, "nothing is laid out yet") };
    match source_map::locate(&built, &file, line) {
        Some(shown) => json(&serde_json::to_value(shown).unwrap_or(serde_json::Value::Null)),
        None => text(404, "that line is not laid out in this edition"),
    }
}

/// Server-sent events: the state now, then again after every change, on a connection of
/// its own (tiny_http buffers a response body, so the stream is written directly).
fn stream_events(request: Request, shared: &Shared) {
    let mut writer = request.into_writer();
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nContent-Security-Policy: {CSP}\r\nConnection: close\r\n\r\n"
    );
    if writer.write_all(head.as_bytes()).and_then(|()| writer.flush()).is_err() {
        return;
    }
    let mut seen = u64::MAX;
    loop {
        let now = shared.wait_for_change(seen, KEEP_ALIVE);
        let message = if now == seen { ": still here\n\n".to_string() } else { format!("event: state\ndata: {}\n\n", shared.json()) };
        seen = now;
        if writer.write_all(message.as_bytes()).and_then(|()| writer.flush()).is_err() {
            return; // the browser left
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preview::token::Token;

    fn shared() -> Shared {
        Shared::new(Token::random().unwrap(), 4321, None)
    }

    fn loopback() -> SocketAddr {
        "127.0.0.1:50000".parse().unwrap()
    }

    #[test]
    fn only_loopback_peers_with_this_host_and_the_token_get_an_answer() {
        let shared = shared();
        let token = shared.token.as_str().to_string();
        let ok = |path: &str| check(&shared, Some(&loopback()), Some("127.0.0.1:4321"), &Method::Get, path);
        assert_eq!(ok(&format!("/{token}/")), Ok(Route::Index));
        assert_eq!(ok(&format!("/{token}")), Ok(Route::AddSlash));
        assert_eq!(ok(&format!("/{token}/page/3/{:032x}.svg", 0xabcu128)), Ok(Route::Page { index: 3, hash: 0xabc }));
        let lan: SocketAddr = "192.168.1.20:50000".parse().unwrap();
        assert_eq!(check(&shared, Some(&lan), Some("127.0.0.1:4321"), &Method::Get, &format!("/{token}/")).unwrap_err().status, 403);
        assert_eq!(check(&shared, None, Some("127.0.0.1:4321"), &Method::Get, &format!("/{token}/")).unwrap_err().status, 403);
        for host in [None, Some("evil.example:4321"), Some("127.0.0.1:80"), Some("127.0.0.1")] {
            assert_eq!(check(&shared, Some(&loopback()), host, &Method::Get, &format!("/{token}/")).unwrap_err().status, 403, "{host:?}");
        }
        assert!(check(&shared, Some(&loopback()), Some("localhost:4321"), &Method::Get, &format!("/{token}/")).is_ok());
        assert_eq!(check(&shared, Some(&loopback()), Some("127.0.0.1:4321"), &Method::Post, &format!("/{token}/")).unwrap_err().status, 405);
        for path in ["/", "/app.js", "/0000/", &format!("/{}/", &token[..31]), &format!("/{token}x/")] {
            assert_eq!(ok(path).unwrap_err().status, 403, "{path}");
        }
        for path in ["../report.toml", "text/01.md", "%2e%2e/report.toml", "page/1/../../x.svg", "page/1/ABC.svg", "/etc/passwd", "page/01/0.svg"] {
            assert_eq!(ok(&format!("/{token}/{path}")).unwrap_err().status, 404, "{path}");
        }
    }
}
