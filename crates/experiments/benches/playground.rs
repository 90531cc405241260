//! The playground's frame rate and training speed, measured on the release binary (a harness,
//! not criterion: each figure is a rate over seconds of a running server).
//!
//! `cargo bench -p experiments --bench playground` measures, for a [2, 50, 50, 1] ReLU net on
//! moons (600 samples, 480 to train), the 100 × 100 boundary grid and neuron maps:
//! 1. `experiments train`'s own speed on the same data and net (epochs per second), run just
//!    before and just after each of the measurements below (their mean is the reference);
//! 2. frames and epochs per second through the WebSocket, acknowledging each frame at once
//!    (the server's ceiling), at 10 epochs per frame and at 10,000 (views throttled);
//! 3. the same in headless Chromium drawing every frame, when chromium and chromedriver are
//!    installed (what a user sees).
//!
//! Each figure is measured `PLAYGROUND_REPEATS` times (3) and its median printed, with the load
//! average. `PLAYGROUND_SOAK_SECONDS=600` runs only a soak instead: one page trains for that
//! long (at `PLAYGROUND_SOAK_EPOCHS_PER_FRAME`, default 10) while the server's resident memory
//! is sampled every 10 seconds.

#[allow(dead_code)]
#[path = "../tests/it/serve_support.rs"]
mod serve_support;

use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::json;
use serve_support::{Driver, Server, find_program, parse_frame};
use tungstenite::Message;

/// Seconds each figure is measured over.
const SECONDS: f64 = 15.0;

fn settings() -> serde_json::Value {
    json!({
        "dataset": {"generator": "moons", "noise": 0.1, "samples": 600,
                    "test_fraction": 0.2, "seed": 1},
        "model": {"kind": "mlp", "hidden_layers": [50, 50], "activation": "relu",
                  "learning_rate": 0.01},
        "training_seed": 1,
    })
}

/// `experiments train`'s epochs per second on the same data and net, from its own timing.
fn train_speed(epochs: usize) -> f64 {
    let output = Command::new(env!("CARGO_BIN_EXE_experiments"))
        .args([
            "train",
            "--dataset",
            "moons",
            "--noise",
            "0.1",
            "--samples",
            "600",
            "--test-fraction",
            "0.2",
            "--layers",
            "2,50,50,1",
            "--activation",
            "relu",
            "--lr",
            "0.01",
            "--seed",
            "1",
            "--epochs",
        ])
        .arg(epochs.to_string())
        .output()
        .expect("experiments train runs");
    let text = String::from_utf8_lossy(&output.stdout);
    let micros: f64 = text
        .split('(')
        .find_map(|part| {
            part.split_once(" µs/epoch")
                .map(|(n, _)| n.trim().to_owned())
        })
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no µs/epoch in {text}"));
    1e6 / micros
}

fn put(server: &Server, id: &str, path: &str, body: &serde_json::Value) {
    let reply = server.request(
        "PUT",
        &format!("/api/sessions/{id}/{path}"),
        body.to_string().as_bytes(),
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
}

fn post(server: &Server, id: &str, path: &str, body: &serde_json::Value) {
    let reply = server.request(
        "POST",
        &format!("/api/sessions/{id}/{path}"),
        body.to_string().as_bytes(),
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
}

/// Frames and epochs per second over `SECONDS`, for a client that acknowledges every frame as
/// soon as it arrives.
fn over_websocket(server: &Server, epochs_per_frame: usize) -> (f64, f64) {
    let id = server.session();
    let stream = TcpStream::connect(&server.address).expect("connect");
    let url = format!("ws://{}/api/sessions/{id}/frames", server.address);
    let mut socket = tungstenite::client(url, stream).expect("WebSocket").0;
    put(
        server,
        &id,
        "view",
        &json!({ "epochs_per_frame": epochs_per_frame }),
    );
    put(server, &id, "settings", &settings());
    post(server, &id, "control", &json!({ "action": "play" }));
    let mut first: Option<(Instant, u64)> = None;
    let mut frames = 0u64;
    loop {
        let Message::Binary(bytes) = socket.read().expect("a frame") else {
            continue;
        };
        socket.send(Message::text("ack")).expect("ack");
        let (header, _) = parse_frame(&bytes);
        let epoch = header["epoch"].as_u64().expect("epoch");
        // Timing starts at the second running frame (the first follows the start-up).
        if header["state"] != "running" || epoch == 0 {
            continue;
        }
        let Some((start, start_epoch)) = first else {
            first = Some((Instant::now(), epoch));
            continue;
        };
        frames += 1;
        let elapsed = start.elapsed().as_secs_f64();
        if elapsed >= SECONDS {
            let _ = socket.close(None);
            return (
                frames as f64 / elapsed,
                (epoch - start_epoch) as f64 / elapsed,
            );
        }
    }
}

/// The frames and epochs per second the page shows after `SECONDS` of training in headless
/// Chromium; `None` without chromium and chromedriver.
fn in_browser(server: &Server, epochs_per_frame: usize) -> Option<(f64, f64)> {
    let (chromium, chromedriver) = (
        find_program(&["chromium", "chromium-browser"])?,
        find_program(&["chromedriver"])?,
    );
    let driver = Driver::start(&chromedriver).ok()?;
    let profile = std::env::temp_dir().join(format!("playground-bench-{}", std::process::id()));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let result = runtime.block_on(async {
        let client = driver
            .browser(&chromium, &profile)
            .await
            .expect("a browser");
        let url = format!(
            "{}?layers=50,50&learning_rate=0.01&epf={epochs_per_frame}",
            server.url()
        );
        client.goto(&url).await.expect("the page loads");
        tokio::time::sleep(Duration::from_secs(2)).await;
        client
            .execute("document.getElementById('play').click()", Vec::new())
            .await
            .expect("play");
        let read = "return [document.getElementById('fps').textContent,
                            document.getElementById('epoch').textContent.replace(/,/g, '')]";
        let sample = |value: serde_json::Value| -> (f64, f64) {
            let get = |i: usize| {
                value[i]
                    .as_str()
                    .and_then(|t| t.parse().ok())
                    .unwrap_or(0.0)
            };
            (get(0), get(1))
        };
        tokio::time::sleep(Duration::from_secs(2)).await;
        // Epochs per second between the first and the last change of the shown epoch seen
        // (read every 50 ms), so a frame a second does not round the rate to whole frames.
        let start = Instant::now();
        let mut fps = Vec::new();
        let mut last_shown = f64::NAN;
        let mut changes: Vec<(Instant, f64)> = Vec::new();
        let mut next_fps = Duration::ZERO;
        while start.elapsed().as_secs_f64() < SECONDS {
            tokio::time::sleep(Duration::from_millis(50)).await;
            let (f, e) = sample(client.execute(read, Vec::new()).await.expect("read"));
            if start.elapsed() >= next_fps {
                fps.push(f);
                next_fps += Duration::from_millis(500);
            }
            if e != last_shown {
                changes.push((Instant::now(), e));
                last_shown = e;
            }
        }
        // The first change may be the one already shown when timing began: skip it.
        let (first, last) = (
            changes[1.min(changes.len() - 1)],
            changes[changes.len() - 1],
        );
        let seconds = last.0.duration_since(first.0).as_secs_f64();
        let epochs_per_second = if seconds > 0.0 {
            (last.1 - first.1) / seconds
        } else {
            f64::NAN
        };
        let _ = client.close().await;
        fps.sort_by(f64::total_cmp);
        (fps[fps.len() / 2], epochs_per_second)
    });
    let _ = std::fs::remove_dir_all(&profile);
    Some(result)
}

/// Resident memory of `pid` in MiB (`VmRSS`), and its peak (`VmHWM`).
fn memory(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or(f64::NAN, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// One page training for `seconds`; the server's memory every 10 s.
fn soak(server: &Server, seconds: u64, epochs_per_frame: usize) {
    let id = server.session();
    let stream = TcpStream::connect(&server.address).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let url = format!("ws://{}/api/sessions/{id}/frames", server.address);
    let mut socket = tungstenite::client(url, stream).expect("WebSocket").0;
    put(
        server,
        &id,
        "view",
        &json!({ "epochs_per_frame": epochs_per_frame }),
    );
    put(server, &id, "settings", &settings());
    post(server, &id, "control", &json!({ "action": "play" }));
    let start = Instant::now();
    let mut next_sample = Duration::ZERO;
    let mut last_epoch = 0;
    println!("soak: seconds, epoch, RSS MiB, peak RSS MiB");
    while start.elapsed() < Duration::from_secs(seconds) {
        let Message::Binary(bytes) = socket.read().expect("a frame") else {
            continue;
        };
        socket.send(Message::text("ack")).expect("ack");
        last_epoch = parse_frame(&bytes).0["epoch"]
            .as_u64()
            .unwrap_or(last_epoch);
        if start.elapsed() >= next_sample {
            let (rss, peak) = memory(server.pid());
            println!(
                "soak: {:>5.0} {last_epoch:>9} {rss:>7.1} {peak:>7.1}",
                start.elapsed().as_secs_f64()
            );
            next_sample += Duration::from_secs(10);
        }
    }
    let (rss, peak) = memory(server.pid());
    println!("soak: end {last_epoch} epochs, RSS {rss:.1} MiB, peak {peak:.1} MiB");
}

/// The one-, five- and fifteen-minute load averages (`/proc/loadavg`), to judge the timings by.
fn load() -> String {
    let text = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    text.split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The median of `values` (the upper one of an even count).
fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[sorted.len() / 2]
}

/// `experiments train`'s speed around `measure`: the mean of a run just before and one just
/// after, so a change of the machine's load shows in both figures of a ratio alike.
fn bracketed<T>(measure: impl FnOnce() -> T) -> (f64, T) {
    let before = train_speed(REFERENCE_EPOCHS);
    let result = measure();
    let after = train_speed(REFERENCE_EPOCHS);
    (0.5 * (before + after), result)
}

/// Epochs of each `experiments train` run (about 2 s on this machine).
const REFERENCE_EPOCHS: usize = 20_000;

/// One pass over every figure, on a server of its own.
fn measure() -> Vec<(String, f64)> {
    let mut figures = Vec::new();
    let server = Server::start(&[]);
    for epochs_per_frame in [10, 10_000] {
        let (reference, (fps, eps)) = bracketed(|| over_websocket(&server, epochs_per_frame));
        let name = format!("WebSocket {epochs_per_frame} epf");
        figures.push((format!("{name}: frames/s"), fps));
        figures.push((format!("{name}: epochs/s"), eps));
        figures.push((format!("{name}: train epochs/s"), reference));
        figures.push((format!("{name}: % of train"), 100.0 * eps / reference));
    }
    for epochs_per_frame in [10, 10_000] {
        match bracketed(|| in_browser(&server, epochs_per_frame)) {
            (reference, Some((fps, eps))) => {
                let name = format!("Chromium {epochs_per_frame} epf");
                figures.push((format!("{name}: frames/s shown"), fps));
                figures.push((format!("{name}: epochs/s"), eps));
                figures.push((format!("{name}: train epochs/s"), reference));
                figures.push((format!("{name}: % of train"), 100.0 * eps / reference));
            }
            (_, None) => {
                println!("headless Chromium: skipped (chromium and chromedriver not installed)")
            }
        }
    }
    let (rss, peak) = memory(server.pid());
    println!("server memory after the pass: RSS {rss:.1} MiB, peak {peak:.1} MiB");
    figures
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` passes nothing: run only when benched.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let variable = |name: &str| -> Option<u64> { std::env::var(name).ok()?.parse().ok() };
    if let Some(seconds) = variable("PLAYGROUND_SOAK_SECONDS") {
        let epochs_per_frame = variable("PLAYGROUND_SOAK_EPOCHS_PER_FRAME").unwrap_or(10);
        soak(&Server::start(&[]), seconds, epochs_per_frame as usize);
        return;
    }
    let repeats = variable("PLAYGROUND_REPEATS").unwrap_or(3).max(1);
    let mut passes: Vec<Vec<(String, f64)>> = Vec::new();
    for pass in 1..=repeats {
        println!("pass {pass} of {repeats}, load average {}", load());
        let figures = measure();
        for (name, value) in &figures {
            println!("  {name:<36} {value:>9.1}");
        }
        passes.push(figures);
    }
    println!(
        "median of {repeats} passes ([2, 50, 50, 1] ReLU, moons, 480 training points, 100 x 100 grid), load average {}",
        load()
    );
    for (i, (name, _)) in passes[0].iter().enumerate() {
        let values: Vec<f64> = passes
            .iter()
            .filter_map(|p| p.get(i).map(|f| f.1))
            .collect();
        println!("  {name:<36} {:>9.1}", median(&values));
    }
}
