//! The playground's server through its HTTP and WebSocket API: the same model as
//! `experiments train`, bad requests answered with 400s that name the field, limits, idle
//! sessions, the frame stream and the exported study file.

use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::json;
use tungstenite::Message;

use crate::common::{run, stderr, temp_dir, write};
use crate::serve_support::{
    Server, floats, parse_frame, small_settings, training_threads, wait_for,
};

fn put_settings(server: &Server, id: &str, settings: &serde_json::Value) -> serde_json::Value {
    let reply = server.request(
        "PUT",
        &format!("/api/sessions/{id}/settings"),
        settings.to_string().as_bytes(),
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    reply.json()
}

fn control(server: &Server, id: &str, action: &str) {
    let body = json!({ "action": action }).to_string();
    let reply = server.request(
        "POST",
        &format!("/api/sessions/{id}/control"),
        body.as_bytes(),
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
}

fn finished(status: &serde_json::Value) -> bool {
    matches!(
        status["state"].as_str(),
        Some("completed" | "early_stopped" | "diverged" | "failed")
    )
}

/// Trains through the API (`actions` between play and the end) and returns the model file.
fn train_through_server(settings: &serde_json::Value, actions: &[&str]) -> Vec<u8> {
    let server = Server::start(&[]);
    let id = server.session();
    put_settings(&server, &id, settings);
    for action in actions {
        control(&server, &id, action);
    }
    control(&server, &id, "play");
    let status = wait_for(&server, &id, 120, finished);
    assert_eq!(status["state"], "completed", "{status}");
    let reply = server.request("GET", &format!("/api/sessions/{id}/model.json"), b"");
    assert_eq!(reply.status, 200, "{}", reply.text());
    reply.body
}

fn train_through_cli(args: &[&str]) -> Vec<u8> {
    let dir = temp_dir("serve-cli");
    let model = dir.join("m.json");
    let mut all = vec!["train"];
    all.extend_from_slice(args);
    all.extend(["--save", model.to_str().unwrap()]);
    let output = run(&dir, &all);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    std::fs::read(&model).expect("the model was saved")
}

#[test]
fn the_servers_model_is_byte_identical_to_experiments_train() {
    let cli = train_through_cli(&[
        "--dataset",
        "moons",
        "--noise",
        "0.1",
        "--samples",
        "200",
        "--test-fraction",
        "0.2",
        "--layers",
        "2,8,8,1",
        "--activation",
        "tanh",
        "--lr",
        "0.1",
        "--epochs",
        "300",
        "--seed",
        "5",
    ]);
    let settings = small_settings(300, 5);
    assert_eq!(
        String::from_utf8_lossy(&train_through_server(&settings, &[])),
        String::from_utf8_lossy(&cli)
    );
    // Pausing and stepping between epochs changes no number.
    let interrupted = train_through_server(&settings, &["step", "step", "play", "pause", "step"]);
    assert_eq!(interrupted, cli);

    let logistic = json!({
        "dataset": {"generator": "blobs", "separation": 3.0, "samples": 300,
                    "test_fraction": 0.25, "seed": 11},
        "model": {"kind": "logistic", "learning_rate": 0.2, "epochs": 500},
        "training_seed": 11,
    });
    let cli = train_through_cli(&[
        "--model",
        "logistic",
        "--dataset",
        "blobs",
        "--separation",
        "3",
        "--samples",
        "300",
        "--test-fraction",
        "0.25",
        "--lr",
        "0.2",
        "--epochs",
        "500",
        "--seed",
        "11",
    ]);
    assert_eq!(train_through_server(&logistic, &[]), cli);
}

/// Two interleaved half-moons written without a random generator: 80 rows with a header
/// naming the features and labels that are not 0/1 (as `train --data` allows).
fn moons_csv() -> String {
    let mut csv = String::from("length,width,species\n");
    for i in 0..80 {
        let t = std::f64::consts::PI * (i / 2) as f64 / 39.0;
        let wobble = 0.15 * ((i * 7919) % 13) as f64 / 13.0 - 0.075;
        let (x, y, label) = if i % 2 == 0 {
            (t.cos(), t.sin() + wobble, "setosa")
        } else {
            (1.0 - t.cos(), 0.5 - t.sin() + wobble, "versicolor")
        };
        // Scaled up, so standardising matters.
        csv.push_str(&format!("{},{},{label}\n", 40.0 * x, 40.0 * y));
    }
    csv
}

#[test]
fn an_uploaded_csv_trains_what_train_data_trains_and_predict_reads_the_model() {
    let dir = temp_dir("serve-upload");
    let csv = write(&dir, "moons.csv", moons_csv());
    let cli = train_through_cli(&[
        "--data",
        csv.to_str().unwrap(),
        "--test-fraction",
        "0.25",
        "--standardize",
        "--layers",
        "2,8,8,1",
        "--activation",
        "tanh",
        "--lr",
        "0.1",
        "--epochs",
        "200",
        "--seed",
        "6",
    ]);

    let server = Server::start(&[]);
    let id = server.session();
    let reply = server.request(
        "POST",
        &format!("/api/sessions/{id}/upload"),
        moons_csv().as_bytes(),
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["rows"], 80, "{}", reply.text());
    let mut settings = small_settings(200, 6);
    settings["dataset"] = json!({"test_fraction": 0.25, "seed": 6, "standardize": true});
    settings["data"] = json!("uploaded");
    put_settings(&server, &id, &settings);
    control(&server, &id, "play");
    let status = wait_for(&server, &id, 120, finished);
    assert_eq!(status["state"], "completed", "{status}");
    let reply = server.request("GET", &format!("/api/sessions/{id}/model.json"), b"");
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(
        String::from_utf8_lossy(&reply.body),
        String::from_utf8_lossy(&cli)
    );

    // The downloaded file is one `experiments predict` reads, standardisation included.
    let model = write(&dir, "playground.model.json", &reply.body);
    // `predict` reads points without labels: the same file without its label column.
    let points: String = moons_csv()
        .lines()
        .map(|line| format!("{}\n", line.rsplit_once(',').expect("three cells").0))
        .collect();
    let points = write(&dir, "points.csv", points);
    let predictions = dir.join("predictions.csv");
    let output = run(
        &dir,
        &[
            "predict",
            "--model",
            model.to_str().unwrap(),
            "--data",
            points.to_str().unwrap(),
            "--out",
            predictions.to_str().unwrap(),
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = std::fs::read_to_string(&predictions).expect("predictions written");
    assert_eq!(
        text.lines().count(),
        81,
        "a header and a row per point: {text}"
    );
}

#[test]
fn a_diverging_run_says_why_and_has_no_model_to_download() {
    let server = Server::start(&[]);
    let id = server.session();
    let mut settings = small_settings(1000, 4);
    settings["model"]["learning_rate"] = json!(10000.0);
    put_settings(&server, &id, &settings);
    control(&server, &id, "play");
    let status = wait_for(&server, &id, 60, finished);
    assert_eq!(status["state"], "diverged", "{status}");
    let message = status["message"].as_str().expect("a reason");
    assert!(message.contains("diverged at epoch"), "{message}");
    assert!(message.contains("lower the learning rate"), "{message}");
    let reply = server.request("GET", &format!("/api/sessions/{id}/model.json"), b"");
    assert_eq!(reply.status, 409, "{}", reply.text());
    assert!(
        reply.text().contains("no model to save"),
        "{}",
        reply.text()
    );
    // Play after the end is refused with the reason; reset starts again.
    let body = json!({ "action": "reset" }).to_string();
    let reply = server.request(
        "POST",
        &format!("/api/sessions/{id}/control"),
        body.as_bytes(),
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["state"], "ready", "{}", reply.text());
}

#[test]
fn the_exported_study_file_runs_as_it_is() {
    let server = Server::start(&[]);
    let id = server.session();
    put_settings(&server, &id, &small_settings(50, 3));
    let reply = server.request("GET", &format!("/api/sessions/{id}/study.toml"), b"");
    assert_eq!(reply.status, 200, "{}", reply.text());
    let dir = temp_dir("serve-export");
    let file = write(&dir, "playground.toml", &reply.body);
    let out = dir.join("out");
    let output = run(
        &dir,
        &[file.to_str().unwrap(), "--out", out.to_str().unwrap()],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(out.join("results.csv").is_file());

    // Uploaded data cannot be described by a study file: a clear refusal.
    let csv = b"x1,x2,label\n0,0,0\n1,1,1\n0,1,0\n1,0,1\n2,2,1\n-1,-1,0\n3,1,1\n-2,0,0\n";
    let reply = server.request("POST", &format!("/api/sessions/{id}/upload"), csv);
    assert_eq!(reply.status, 200, "{}", reply.text());
    let mut uploaded = small_settings(50, 3);
    uploaded["dataset"] = json!({"test_fraction": 0.25, "seed": 3});
    uploaded["data"] = json!("uploaded");
    put_settings(&server, &id, &uploaded);
    let reply = server.request("GET", &format!("/api/sessions/{id}/study.toml"), b"");
    assert_eq!(reply.status, 409, "{}", reply.text());
    assert!(
        reply.text().contains("experiments train --data"),
        "{}",
        reply.text()
    );
}

/// Each case: method, path (`{id}` is the session), body, status, texts the reply must hold.
type Case<'a> = (&'a str, &'a str, Vec<u8>, u16, &'a [&'a str]);

fn with(change: impl FnOnce(&mut serde_json::Value)) -> Vec<u8> {
    let mut settings = small_settings(100, 1);
    change(&mut settings);
    settings.to_string().into_bytes()
}

#[test]
fn bad_requests_get_400s_naming_the_field_value_and_range_and_nothing_panics() {
    let mut server = Server::start(&[]);
    let id = server.session();
    let settings = "/api/sessions/{id}/settings";
    let cases: Vec<Case> = vec![
        (
            "PUT",
            settings,
            b"{not json".to_vec(),
            400,
            &["body", "JSON"],
        ),
        ("PUT", settings, b"[]".to_vec(), 400, &["body"]),
        (
            "PUT",
            settings,
            with(|s| s["model"]["learning_rate"] = json!(-1.0)),
            400,
            &["model.learning_rate", "-1", "> 0"],
        ),
        (
            "PUT",
            settings,
            with(|s| s["model"]["learning_rate"] = json!("fast")),
            400,
            &["model.learning_rate", "fast"],
        ),
        (
            "PUT",
            settings,
            with(|s| s["dataset"]["samples"] = json!(0)),
            400,
            &["dataset.samples", "0", "4 to"],
        ),
        (
            "PUT",
            settings,
            with(|s| s["dataset"]["samples"] = json!(1_000_000_000)),
            400,
            &["dataset.samples", "1000000000", "10000"],
        ),
        (
            "PUT",
            settings,
            with(|s| s["model"]["hidden_layers"] = json!([8, 500])),
            400,
            &["model.hidden_layers", "500", "128"],
        ),
        (
            "PUT",
            settings,
            with(|s| s["model"]["hidden_layers"] = json!(vec![4; 17])),
            400,
            &["model.hidden_layers", "17", "16"],
        ),
        (
            "PUT",
            settings,
            with(|s| s["model"]["hidden_layers"] = json!([8, 0])),
            400,
            &["model.hidden_layers", "0"],
        ),
        (
            "PUT",
            settings,
            with(|s| s["model"]["activation"] = json!("relu6")),
            400,
            &["model.activation", "relu6", "sigmoid"],
        ),
        (
            "PUT",
            settings,
            with(|s| s["model"]["lerning_rate"] = json!(0.1)),
            400,
            &["model.lerning_rate", "learning_rate"],
        ),
        (
            "PUT",
            settings,
            with(|s| s["model"]["epochs"] = json!(10.5)),
            400,
            &["model.epochs", "10.5"],
        ),
        (
            "PUT",
            settings,
            with(|s| s["model"]["epochs"] = json!(0)),
            400,
            &["model.epochs", "0"],
        ),
        (
            "PUT",
            settings,
            with(|s| s["model"]["epochs"] = json!(1u64 << 40)),
            400,
            &["model.epochs", "2000000"],
        ),
        (
            "PUT",
            settings,
            with(|s| s["dataset"]["test_fraction"] = json!(1.5)),
            400,
            &["dataset.test_fraction", "1.5", "between 0 and 1"],
        ),
        (
            "PUT",
            settings,
            with(|s| s["dataset"]["noise"] = json!(-0.5)),
            400,
            &["dataset.noise", "-0.5"],
        ),
        (
            "PUT",
            settings,
            with(|s| s["dataset"]["scale"] = json!(0.0)),
            400,
            &["dataset.scale", "0"],
        ),
        (
            "PUT",
            settings,
            with(|s| s["dataset"]["generator"] = json!("moon")),
            400,
            &["dataset.generator", "moon", "spirals"],
        ),
        (
            "PUT",
            settings,
            with(|s| s["dataset"]["separation"] = json!(3.0)),
            400,
            &["dataset.separation", "moons has no parameter"],
        ),
        (
            "PUT",
            settings,
            with(|s| s["training_seed"] = json!(-1)),
            400,
            &["body", "-1"],
        ),
        (
            "PUT",
            settings,
            with(|s| s["training_seed"] = json!(u64::MAX)),
            400,
            &["training_seed", "18446744073709551615"],
        ),
        (
            "PUT",
            settings,
            with(|s| s["data"] = json!("uploaded")),
            400,
            &["data", "upload"],
        ),
        (
            "PUT",
            settings,
            with(|s| s["model"]["patience"] = json!(5)),
            400,
            &["model.patience", "tolerance"],
        ),
        (
            "PUT",
            "/api/sessions/{id}/view",
            br#"{"epochs_per_frame": 0}"#.to_vec(),
            400,
            &["epochs_per_frame", "0", "1 to 100000"],
        ),
        (
            "PUT",
            "/api/sessions/{id}/view",
            br#"{"epochs_per_frame": 1e9}"#.to_vec(),
            400,
            &["body"],
        ),
        (
            "POST",
            "/api/sessions/{id}/control",
            br#"{"action": "fly"}"#.to_vec(),
            400,
            &["fly", "play"],
        ),
        (
            "POST",
            "/api/sessions/{id}/upload",
            b"x1,x2,label\n1,oops,0\n".to_vec(),
            400,
            &["file", "line 2", "oops"],
        ),
        (
            "POST",
            "/api/sessions/{id}/upload",
            b"1,2,3,0\n2,3,4,1\n".to_vec(),
            400,
            &["file", "3 feature columns"],
        ),
        (
            "POST",
            "/api/sessions/{id}/upload",
            b"1,2,7\n".to_vec(),
            400,
            &["file", "7"],
        ),
        (
            "POST",
            "/api/sessions/{id}/upload",
            b"".to_vec(),
            400,
            &["file"],
        ),
        (
            "POST",
            "/api/sessions/{id}/upload",
            vec![b'1'; 2 << 20],
            413,
            &["body", "1048576"],
        ),
        (
            "GET",
            "/api/sessions/nosuch/status",
            Vec::new(),
            404,
            &["nosuch", "reload"],
        ),
        ("GET", "/no/such/page", Vec::new(), 404, &["no such page"]),
        ("DELETE", "/api/sessions", Vec::new(), 405, &[]),
    ];
    for (method, path, body, status, texts) in cases {
        let path = path.replace("{id}", &id);
        let reply = server.request(method, &path, &body);
        let shown = String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned();
        assert_eq!(
            reply.status,
            status,
            "{method} {path} {shown}: {}",
            reply.text()
        );
        for text in texts {
            assert!(
                reply.text().contains(text),
                "{method} {path} {shown}: {text:?} not in {}",
                reply.text()
            );
        }
        if status == 400 {
            let problems = &reply.json()["problems"];
            assert!(problems[0]["field"].is_string(), "{}", reply.text());
        }
    }
    // Malformed HTTP, an absurd header, another site's page or host name: refused, no panic.
    for bytes in [
        b"GARBAGE\r\n\r\n".to_vec(),
        b"GET / HTTP/9.9\r\n\r\n".to_vec(),
        format!(
            "GET / HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
            "a".repeat(1 << 20)
        )
        .into_bytes(),
        b"PUT /api/sessions/x/settings HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n"
            .to_vec(),
    ] {
        let reply = server.raw(&bytes);
        assert!(
            reply.status == 0 || reply.status >= 400,
            "{}",
            reply.headers
        );
    }
    let reply = server.request_with("GET", "/", &[("Origin", "http://evil.example")], b"");
    assert_eq!(reply.status, 403, "{}", reply.text());
    let reply = server.raw(b"GET / HTTP/1.1\r\nHost: evil.example:80\r\nConnection: close\r\n\r\n");
    assert_eq!(reply.status, 403, "{}", reply.text());
    assert!(reply.text().contains("evil.example"), "{}", reply.text());

    assert!(server.is_running(), "the server died");
    put_settings(&server, &id, &small_settings(100, 1));
    let page = server.request("GET", "/", b"");
    assert_eq!(page.status, 200);
    assert!(page.text().contains("<canvas id=\"boundary\""));
}

#[test]
fn sessions_are_limited_and_a_quiet_one_stops_training() {
    let server = Server::start(&["--max-sessions", "2", "--idle-seconds", "1"]);
    let first = server.session();
    let _second = server.session();
    let reply = server.request("POST", "/api/sessions", b"");
    assert_eq!(reply.status, 503, "{}", reply.text());
    assert!(
        reply.text().contains("--max-sessions 2"),
        "{}",
        reply.text()
    );

    // A run without a budget trains until stopped; once nobody asks after it, it stops.
    let mut settings = small_settings(1, 1);
    settings["model"].as_object_mut().unwrap().remove("epochs");
    put_settings(&server, &first, &settings);
    control(&server, &first, "play");
    // A new thread names itself once it runs, a moment after `play` returns.
    let deadline = Instant::now() + Duration::from_secs(10);
    while training_threads(server.pid()).len() != 1 {
        assert!(Instant::now() < deadline, "no training thread after play");
        std::thread::sleep(Duration::from_millis(20));
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    while !training_threads(server.pid()).is_empty() {
        assert!(
            Instant::now() < deadline,
            "training went on after its session went quiet"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let reply = server.request("GET", &format!("/api/sessions/{first}/status"), b"");
    assert_eq!(reply.status, 404, "{}", reply.text());
    // Its place is free again.
    server.session();
}

/// A WebSocket client on the session's frame stream.
fn frames(server: &Server, id: &str) -> tungstenite::WebSocket<TcpStream> {
    let stream = TcpStream::connect(&server.address).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let url = format!("ws://{}/api/sessions/{id}/frames", server.address);
    tungstenite::client(url, stream).expect("WebSocket").0
}

fn next_frame(socket: &mut tungstenite::WebSocket<TcpStream>) -> (serde_json::Value, Vec<u8>) {
    loop {
        match socket.read().expect("a frame") {
            Message::Binary(bytes) => return parse_frame(&bytes),
            Message::Close(_) => panic!("the stream closed"),
            _ => {}
        }
    }
}

#[test]
fn frames_come_every_epochs_per_frame_epochs_and_closing_the_tab_ends_the_session() {
    let server = Server::start(&["--idle-seconds", "2"]);
    let id = server.session();
    let mut socket = frames(&server, &id);
    let view = server.request(
        "PUT",
        &format!("/api/sessions/{id}/view"),
        br#"{"epochs_per_frame": 7}"#,
    );
    assert_eq!(view.status, 200, "{}", view.text());
    let run = put_settings(&server, &id, &small_settings(2000, 2));
    let (header, body) = next_frame(&mut socket);
    assert_eq!(header["epoch"], 0, "{header}");
    assert_eq!(header["state"], "ready");
    assert_eq!(header["generation"], run["generation"]);
    assert_eq!(header["boundary"]["length"], 100 * 100);
    let layers = header["neurons"]["layers"].as_array().expect("neuron maps");
    assert_eq!(layers.len(), 2);
    assert_eq!(layers[0]["maps"]["length"], 8 * 32 * 32);
    assert_eq!(header["misclassified"]["length"], 200);
    assert!(header["metrics"]["test"]["f1"].is_number(), "{header}");
    socket.send(Message::text("ack")).expect("ack");

    control(&server, &id, "play");
    let mut epochs = Vec::new();
    let mut last = (header, body);
    while epochs.len() < 30 {
        let (header, body) = next_frame(&mut socket);
        socket.send(Message::text("ack")).expect("ack");
        epochs.push(header["epoch"].as_u64().expect("epoch"));
        last = (header, body);
    }
    // Lockstep: while a viewer keeps up, every 7th epoch is shown, none skipped.
    for pair in epochs.windows(2) {
        assert!(pair[1] == pair[0] + 7 || pair[1] == pair[0], "{epochs:?}");
    }
    let (header, body) = last;
    let curve = floats(&body, &header["train_curve"]);
    assert_eq!(curve.len() % 2, 0);
    assert!(curve.len() / 2 > 100, "one loss per epoch so far");
    let norms = &header["gradient_norms"];
    assert_eq!(norms["layers"], 3);
    assert!(!floats(&body, &norms["points"]).is_empty());

    // A tab that stops acknowledging holds training still, and after the idle time it is
    // paused as idle (any request counts as a sign of life, so none is sent meanwhile).
    std::thread::sleep(Duration::from_secs(5));
    let status = wait_for(&server, &id, 1, |s| s["state"] == "idle");
    let epoch = status["epoch"].as_u64().expect("epoch");
    assert!(epoch < 2000, "{status}");
    // Closing the tab ends the session and its training thread.
    socket.close(None).expect("close");
    let deadline = Instant::now() + Duration::from_secs(10);
    while server
        .request("GET", &format!("/api/sessions/{id}/status"), b"")
        .status
        != 404
    {
        assert!(Instant::now() < deadline, "the session outlived its tab");
        std::thread::sleep(Duration::from_millis(50));
    }
    while !training_threads(server.pid()).is_empty() {
        assert!(Instant::now() < deadline, "training outlived its tab");
        std::thread::sleep(Duration::from_millis(50));
    }
}
