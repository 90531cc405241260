//! The HTTP and WebSocket interface: the page's files, the JSON API and the frame stream.
//!
//! Every request body is read as bytes and parsed here, so each problem is answered with a
//! JSON error naming the field, the value and what is allowed (HTTP 400), never axum's
//! default text or a panic. Requests whose `Host` or `Origin` is not this server are refused
//! (a web page elsewhere cannot drive a playground on loopback).

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use serde::Deserialize;
use serde_json::json;

use super::config::{self, FieldProblem, RawSettings};
use super::frame::{self, ViewState};
use super::presets;
use super::session::{Action, Registry, Run, Session, StartError};

/// The largest request body: a CSV file of [`config::MAX_SAMPLES`] rows fits many times over.
pub const MAX_BODY_BYTES: usize = 1 << 20;
/// Frames sent but not yet acknowledged by the page; the next waits.
const FRAMES_IN_FLIGHT: usize = 2;
/// The most epochs between frames.
pub const MAX_EPOCHS_PER_FRAME: usize = 100_000;

/// What every handler shares.
#[derive(Debug)]
pub struct App {
    /// The sessions.
    pub registry: Registry,
    /// The `Host` values this server answers to (empty: any).
    pub hosts: Vec<String>,
}

/// An error reply: a status and the problems, as JSON.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    problems: Vec<FieldProblem>,
}

impl ApiError {
    fn new(status: StatusCode, field: &str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            problems: vec![FieldProblem::new(field, message)],
        }
    }

    fn bad(field: &str, message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, field, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let summary = self
            .problems
            .iter()
            .map(|p| format!("{}: {}", p.field, p.message))
            .collect::<Vec<_>>()
            .join("\n");
        let body = json!({ "error": summary, "problems": self.problems });
        (self.status, json_headers(), body.to_string()).into_response()
    }
}

type ApiResult = Result<Response, ApiError>;

fn json_headers() -> [(header::HeaderName, HeaderValue); 2] {
    [
        (
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        ),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
    ]
}

fn json_reply(value: serde_json::Value) -> Response {
    (json_headers(), value.to_string()).into_response()
}

/// The router of the whole app.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(|| asset("index.html")))
        .route("/app.js", get(|| asset("app.js")))
        .route("/style.css", get(|| asset("style.css")))
        .route("/api/presets", get(presets_reply))
        .route("/api/sessions", post(create_session))
        .route("/api/sessions/{id}/settings", put(put_settings))
        .route("/api/sessions/{id}/upload", post(upload))
        .route("/api/sessions/{id}/control", post(control))
        .route("/api/sessions/{id}/view", put(put_view))
        .route("/api/sessions/{id}/status", get(status))
        .route("/api/sessions/{id}/model.json", get(model_file))
        .route("/api/sessions/{id}/study.toml", get(study_file))
        .route("/api/sessions/{id}/close", post(close))
        .route("/api/sessions/{id}/frames", get(frames))
        .fallback(|| async {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "path",
                "no such page or API endpoint",
            )
        })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(
            Arc::clone(&app),
            same_origin,
        ))
        .with_state(app)
}

/// The page's files, built into the binary: nothing is read from the file system.
async fn asset(name: &str) -> Response {
    let (body, kind): (&'static str, &'static str) = match name {
        "index.html" => (
            include_str!("../../assets/playground/index.html"),
            "text/html; charset=utf-8",
        ),
        "app.js" => (
            include_str!("../../assets/playground/app.js"),
            "text/javascript; charset=utf-8",
        ),
        _ => (
            include_str!("../../assets/playground/style.css"),
            "text/css; charset=utf-8",
        ),
    };
    ([(header::CONTENT_TYPE, kind)], body).into_response()
}

/// Refuses requests addressed to another host name (DNS rebinding) or sent by a page of
/// another origin.
async fn same_origin(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let headers = request.headers();
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    if !app.hosts.is_empty() && !app.hosts.iter().any(|h| h == host) {
        return ApiError::new(
            StatusCode::FORBIDDEN,
            "Host",
            format!(
                "{host:?} is not this server: address it as {}",
                app.hosts.join(" or ")
            ),
        )
        .into_response();
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("");
        let same = origin
            .strip_prefix("http://")
            .is_some_and(|rest| rest == host);
        if !same {
            return ApiError::new(
                StatusCode::FORBIDDEN,
                "Origin",
                format!(
                    "{origin:?} is another site: only the playground's own page may use its API"
                ),
            )
            .into_response();
        }
    }
    next.run(request).await
}

fn session(app: &App, id: &str) -> Result<Arc<Session>, ApiError> {
    let session = app.registry.get(id).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "session",
            format!(
                "{id:?} does not exist: it ended (its tab closed, or it was idle); reload the page"
            ),
        )
    })?;
    session.touch();
    Ok(session)
}

fn body(bytes: Result<Bytes, BytesRejection>) -> Result<Bytes, ApiError> {
    bytes.map_err(|e| match e {
        BytesRejection::FailedToBufferBody(_) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body",
                format!("is larger than {MAX_BODY_BYTES} bytes, the limit"),
            )
        }
        other => ApiError::bad("body", format!("cannot be read: {other}")),
    })
}

/// Parses a JSON body into `T`, naming what is wrong.
fn parse_json<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes)
        .map_err(|e| ApiError::bad("body", format!("is not the expected JSON: {e}")))
}

async fn presets_reply() -> ApiResult {
    let presets = presets::presets()
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "presets", e))?;
    Ok(json_reply(json!(presets)))
}

async fn create_session(State(app): State<Arc<App>>) -> ApiResult {
    let session = app
        .registry
        .create()
        .map_err(|e| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "sessions", e))?;
    let limits = json!({
        "max_samples": config::MAX_SAMPLES,
        "max_hidden_layers": config::MAX_HIDDEN_LAYERS,
        "max_width": config::MAX_WIDTH,
        "max_epochs": config::MAX_EPOCHS,
        "max_epochs_per_frame": MAX_EPOCHS_PER_FRAME,
        "max_body_bytes": MAX_BODY_BYTES,
    });
    Ok((
        StatusCode::CREATED,
        json_reply(json!({ "id": session.id, "limits": limits })),
    )
        .into_response())
}

/// What the page needs to draw a new run before its first frame.
fn run_reply(run: &Run) -> serde_json::Value {
    let points = |d: &core_linalg::Dataset| -> Vec<[f64; 3]> {
        let (x, y) = (d.features(), d.labels());
        (0..x.nrows())
            .map(|r| [x[(r, 0)], x[(r, 1)], y[r]])
            .collect()
    };
    let settings = &run.settings;
    let model = &settings.run().model;
    json!({
        "generation": run.generation,
        "extent": run.extent,
        "train": points(&run.data.train),
        "test": run.data.test.as_ref().map(points),
        "layer_sizes": model.layer_sizes(),
        "activation": model.activation_name(),
        "budget": settings.budget,
        "epochs": model.training().epochs(),
        "threshold": model.training().threshold(),
        "boundary_grid": frame::BOUNDARY_GRID,
        "bayes_error": run.bayes_error.map(|b| b.rate),
        "bayes_uncertainty": run.bayes_error.map(|b| b.uncertainty()),
    })
}

async fn put_settings(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    bytes: Result<Bytes, BytesRejection>,
) -> ApiResult {
    let session = session(&app, &id)?;
    let raw: RawSettings = parse_json(&body(bytes)?)?;
    let uploaded = session.uploaded();
    let settings = config::validate(raw, uploaded.as_ref()).map_err(|problems| ApiError {
        status: StatusCode::BAD_REQUEST,
        problems,
    })?;
    let run = tokio::task::spawn_blocking(move || session.start(settings))
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "settings", e.to_string()))?
        .map_err(|e| match e {
            StartError::Data(p) => ApiError {
                status: StatusCode::BAD_REQUEST,
                problems: vec![p],
            },
            StartError::Thread(m) => ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "training", m),
        })?;
    Ok(json_reply(run_reply(&run)))
}

async fn upload(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    bytes: Result<Bytes, BytesRejection>,
) -> ApiResult {
    let session = session(&app, &id)?;
    let bytes = body(bytes)?;
    let data = data::read_csv_from(&bytes[..], "the uploaded file")
        .map_err(|e| ApiError::bad("file", crate::error_chain(&e)))?;
    if data.n_features() != 2 {
        return Err(ApiError::bad(
            "file",
            format!(
                "has {} feature columns: the playground draws the plane, so it takes exactly 2 \
                 (x1,x2,label); train on more with `experiments train --data FILE`",
                data.n_features()
            ),
        ));
    }
    if data.n_samples() > config::MAX_SAMPLES {
        return Err(ApiError::bad(
            "file",
            format!(
                "has {} rows: the playground takes at most {}",
                data.n_samples(),
                config::MAX_SAMPLES
            ),
        ));
    }
    let reply = json!({ "rows": data.n_samples(), "positives": data.n_positive() });
    session.set_uploaded(data);
    Ok(json_reply(reply))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ControlRequest {
    action: Action,
}

async fn control(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    bytes: Result<Bytes, BytesRejection>,
) -> ApiResult {
    let session = session(&app, &id)?;
    let request: ControlRequest = parse_json(&body(bytes)?)?;
    tokio::task::spawn_blocking(move || session.control(request.action).map(|()| session))
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "action", e.to_string()))?
        .map_err(|m| ApiError::new(StatusCode::CONFLICT, "action", m))
        .map(|session| json_reply(status_of(&session)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ViewRequest {
    epochs_per_frame: u64,
}

async fn put_view(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    bytes: Result<Bytes, BytesRejection>,
) -> ApiResult {
    let session = session(&app, &id)?;
    let request: ViewRequest = parse_json(&body(bytes)?)?;
    let n = request.epochs_per_frame;
    if !(1..=MAX_EPOCHS_PER_FRAME as u64).contains(&n) {
        return Err(ApiError::bad(
            "epochs_per_frame",
            format!("{n} is out of range: expected 1 to {MAX_EPOCHS_PER_FRAME}"),
        ));
    }
    session.set_epochs_per_frame(n as usize);
    Ok(json_reply(json!({ "epochs_per_frame": n })))
}

fn status_of(session: &Session) -> serde_json::Value {
    let Some(run) = session.run() else {
        return json!({ "state": "no_run" });
    };
    let latest = run.latest();
    json!({
        "generation": run.generation,
        "state": run.phase().label(),
        "epoch": latest.as_ref().map(|s| s.epoch),
        "train_loss": latest.as_ref().map(|s| s.train_loss).filter(|l| l.is_finite()),
        "message": latest.as_ref().and_then(|s| s.message.clone()),
    })
}

async fn status(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult {
    let session = session(&app, &id)?;
    Ok(json_reply(status_of(&session)))
}

fn attachment(kind: &'static str, name: &'static str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, kind),
            (
                header::CONTENT_DISPOSITION,
                if name.ends_with(".toml") {
                    "attachment; filename=\"playground.toml\""
                } else {
                    "attachment; filename=\"playground.model.json\""
                },
            ),
        ],
        body,
    )
        .into_response()
}

async fn model_file(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult {
    let session = session(&app, &id)?;
    let run = session.run().ok_or_else(|| {
        ApiError::new(
            StatusCode::CONFLICT,
            "model",
            "no run yet: send the settings first",
        )
    })?;
    let model = run
        .model()
        .map_err(|m| ApiError::new(StatusCode::CONFLICT, "model", m))?;
    let json = models::saved::to_json(&model, run.data.standardization.as_ref());
    Ok(attachment("application/json", "model.json", json))
}

async fn study_file(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult {
    let session = session(&app, &id)?;
    let run = session.run().ok_or_else(|| {
        ApiError::new(
            StatusCode::CONFLICT,
            "study",
            "no run yet: send the settings first",
        )
    })?;
    let text = config::study_file(&run.settings).map_err(|p| ApiError {
        status: StatusCode::CONFLICT,
        problems: vec![p],
    })?;
    Ok(attachment("application/toml", "study.toml", text))
}

async fn close(State(app): State<Arc<App>>, Path(id): Path<String>) -> StatusCode {
    app.registry.remove(&id);
    StatusCode::NO_CONTENT
}

async fn frames(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    upgrade: WebSocketUpgrade,
) -> ApiResult {
    let session = session(&app, &id)?;
    Ok(upgrade
        .max_message_size(4096)
        .on_upgrade(move |socket| view(socket, session, app)))
}

/// The frame stream of one tab: renders each snapshot the trainer hands over and sends it,
/// with at most [`FRAMES_IN_FLIGHT`] unacknowledged. The page acknowledges a frame once it has
/// drawn it, so a hidden tab (whose drawing the browser suspends) soon holds training still.
/// When the socket closes the session ends.
async fn view(mut socket: WebSocket, session: Arc<Session>, app: Arc<App>) {
    session.set_viewer(true);
    let mut state = Some(ViewState::default());
    let mut in_flight = 0usize;
    loop {
        tokio::select! {
            message = socket.recv() => match message {
                Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                Some(Ok(message)) => {
                    session.touch();
                    if let Message::Text(text) = message && text.as_str() == "ack" {
                        in_flight = in_flight.saturating_sub(1);
                    }
                }
            },
            () = session.frames.notified(), if in_flight < FRAMES_IN_FLIGHT => {
                let Some(run) = session.run() else { continue };
                let Some(snapshot) = run.take_pending() else { continue };
                let Some(mut view) = state.take() else { break };
                let drawn = tokio::task::spawn_blocking(move || {
                    let bytes = frame::render(&mut view, &run, &snapshot);
                    (bytes, view)
                })
                .await;
                let Ok((bytes, view)) = drawn else { break };
                state = Some(view);
                if socket.send(Message::Binary(bytes.into())).await.is_err() {
                    break;
                }
                in_flight += 1;
            }
        }
    }
    session.set_viewer(false);
    app.registry.remove(&session.id);
}

/// Pauses and ends quiet sessions every few seconds, for as long as the server runs.
pub async fn reap(app: Arc<App>) {
    let mut tick = tokio::time::interval(Duration::from_secs(2));
    loop {
        tick.tick().await;
        app.registry.reap();
    }
}
