//! The playground in a real browser: headless Chromium driven through WebDriver
//! (chromedriver) with fantoccini. Needs Debian's `chromium` and `chromium-driver`; without
//! them the test says SKIPPED.
//!
//! Set `PLAYGROUND_SCREENSHOTS` to a folder to keep a screenshot of each step there.

use std::io::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use serde_json::Value;

use crate::common::{run, stderr, temp_dir, write};
use crate::serve_support::{Driver, Server, find_program};

/// Fails the steps with a message (the browser is closed before the test panics).
macro_rules! check {
    ($condition:expr, $($message:tt)+) => {
        let holds: bool = $condition;
        if !holds {
            return Err(format!($($message)+));
        }
    };
}

async fn js(client: &Client, script: &str) -> Result<Value, String> {
    client
        .execute(script, Vec::new())
        .await
        .map_err(|e| format!("{script}: {e}"))
}

async fn wait_until(
    client: &Client,
    what: &str,
    seconds: u64,
    script: &str,
) -> Result<Value, String> {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    loop {
        let value = js(client, script).await?;
        if value != Value::Null && value != Value::Bool(false) {
            return Ok(value);
        }
        check!(Instant::now() < deadline, "gave up waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn click(client: &Client, locator: Locator<'_>) -> Result<(), String> {
    let element = client
        .find(locator)
        .await
        .map_err(|e| format!("{locator:?}: {e}"))?;
    element
        .click()
        .await
        .map_err(|e| format!("{locator:?}: {e}"))
}

async fn screenshot(client: &Client, name: &str) {
    if let Some(dir) = std::env::var_os("PLAYGROUND_SCREENSHOTS")
        && let Ok(png) = client.screenshot().await
    {
        let _ = std::fs::write(Path::new(&dir).join(format!("{name}.png")), png);
    }
}

/// A 24 × 24 lattice of the boundary canvas's pixels (read through a copy made for reading,
/// so the page's own canvas is never read back).
const BOUNDARY_PIXELS: &str = "const c = document.getElementById('boundary');
    const copy = document.createElement('canvas');
    copy.width = c.width; copy.height = c.height;
    const x = copy.getContext('2d', { willReadFrequently: true });
    x.drawImage(c, 0, 0);
    const d = x.getImageData(0, 0, c.width, c.height).data;
    const out = [];
    for (let i = 0; i < 24; i++) for (let j = 0; j < 24; j++) {
      const k = 4 * (Math.floor((i + 0.5) * c.height / 24) * c.width + Math.floor((j + 0.5) * c.width / 24));
      out.push(d[k] * 65536 + d[k + 1] * 256 + d[k + 2]);
    }
    return out;";

const TRAIN_LOSS: &str = "const t = document.getElementById('train-loss').textContent;
    return t === '–' ? null : Number(t);";

/// The scenario: load a link, train until the loss halves, reset, switch to a preset, export
/// the study file and check the runner accepts it, and find no error in the console.
async fn scenario(
    client: &Client,
    server: &Server,
    driver: &Driver,
    dir: &Path,
) -> Result<(), String> {
    let session = client
        .session_id()
        .await
        .map_err(|e| e.to_string())?
        .ok_or("no WebDriver session id")?;
    // The settings come from the URL, so a link reproduces a run.
    client
        .goto(&format!("{}?learning_rate=0.05&epf=20", server.url()))
        .await
        .map_err(|e| format!("the page does not load: {e}"))?;
    let first = wait_until(client, "the first frame", 60, TRAIN_LOSS).await?;
    let first = first.as_f64().ok_or("the loss is not a number")?;
    check!(first > 0.0, "first loss {first}");
    let lr = js(
        client,
        "return document.getElementById('learning_rate').value",
    )
    .await?;
    check!(
        lr == "0.05",
        "the URL's learning rate was not applied: {lr}"
    );
    let before = js(client, BOUNDARY_PIXELS).await?;
    screenshot(client, "1-ready").await;

    click(client, Locator::Id("play")).await?;
    let halved = format!(
        "const l = (() => {{ {TRAIN_LOSS} }})(); return l !== null && l < {} ? l : null;",
        first / 2.0
    );
    wait_until(client, "the training loss to halve", 120, &halved).await?;
    screenshot(client, "2-trained").await;
    let after = js(client, BOUNDARY_PIXELS).await?;
    let (before, after) = (before.as_array(), after.as_array());
    let changed = before
        .zip(after)
        .map_or(0, |(b, a)| b.iter().zip(a).filter(|(x, y)| x != y).count());
    check!(
        changed > 50,
        "only {changed} of 576 sampled boundary pixels changed"
    );

    // Reset goes back to the initial weights, paused at epoch 0, and shows that run.
    click(client, Locator::Id("reset")).await?;
    wait_until(
        client,
        "the reset run's first frame",
        60,
        "return document.getElementById('epoch').textContent === '0'
            && document.getElementById('state').textContent === 'ready'",
    )
    .await?;
    let reset = js(client, TRAIN_LOSS).await?;
    check!(
        reset.as_f64() == Some(first),
        "after reset the loss is {reset}, not {first}"
    );

    // "Regenerate data" draws the next data seed: the field, the link and a new run at epoch 0.
    let seed = js(
        client,
        "return Number(document.getElementById('data_seed').value)",
    )
    .await?;
    let next = seed.as_f64().unwrap_or(f64::NAN) + 1.0;
    click(client, Locator::Id("regenerate")).await?;
    wait_until(
        client,
        "the regenerated data's run",
        60,
        &format!(
            "return Number(document.getElementById('data_seed').value) === {next}
                && new URLSearchParams(location.search).get('data_seed') === '{next}'
                && document.getElementById('epoch').textContent === '0'"
        ),
    )
    .await?;

    // One click loads the depth study's 6-layer net, paused at epoch 0: six columns of maps.
    click(client, Locator::Css("button[data-preset='depth:depth=6']")).await?;
    wait_until(
        client,
        "the preset's six hidden layers",
        60,
        "return document.querySelectorAll('#neurons .layer canvas').length === 6
            && document.querySelectorAll('#layers input').length === 6
            && document.getElementById('epoch').textContent === '0'",
    )
    .await?;
    screenshot(client, "3-preset").await;

    click(client, Locator::Id("export")).await?;
    let toml = wait_until(
        client,
        "the exported study file",
        30,
        "const t = document.getElementById('toml-text').textContent; return t || null;",
    )
    .await?;
    let toml = toml
        .as_str()
        .ok_or("the study file is not text")?
        .to_owned();
    screenshot(client, "4-export").await;
    let file = write(dir, "playground.toml", &toml);
    let output = run(dir, &["--check", file.to_str().ok_or("path")?]);
    check!(
        output.status.code() == Some(0),
        "the runner refused the exported file: {}\n{toml}",
        stderr(&output)
    );
    check!(
        toml.contains("hidden_layers = [20, 20, 20, 20, 20, 20]"),
        "the export is not the preset: {toml}"
    );

    let log = driver.console_log(&session)?;
    let errors: Vec<&Value> = log
        .iter()
        .filter(|entry| entry["level"] == "SEVERE")
        .collect();
    check!(
        errors.is_empty(),
        "the browser console has errors: {errors:#?}"
    );
    Ok(())
}

/// Reports the browser test as not run, with `reason` (one write of one line, so parallel tests
/// cannot interleave it; CI lists these lines).
fn skip(reason: &str) {
    let line = format!(
        "SKIPPED: serve_browser::the_page_trains_switches_presets_and_exports_in_headless_chromium: \
         {reason}\n"
    );
    let _ = std::io::stderr().write_all(line.as_bytes());
}

#[test]
fn the_page_trains_switches_presets_and_exports_in_headless_chromium() {
    let (Some(chromium), Some(chromedriver)) = (
        find_program(&["chromium", "chromium-browser"]),
        find_program(&["chromedriver"]),
    ) else {
        skip(
            "chromium and chromedriver are not installed (Debian: apt-get install chromium \
             chromium-driver)",
        );
        return;
    };
    let driver = match Driver::start(&chromedriver) {
        Ok(driver) => driver,
        Err(reason) => return skip(&reason),
    };
    let server = Server::start(&[]);
    let profile = temp_dir("chromium-profile");
    let dir = temp_dir("serve-browser");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let result = runtime.block_on(async {
        // A browser that cannot be started is a machine without one, not a failure of the page.
        let client = match driver.browser(&chromium, &profile).await {
            Ok(client) => client,
            Err(reason) => return Ok(Some(reason)),
        };
        let result = scenario(&client, &server, &driver, &dir).await;
        if result.is_err() {
            screenshot(&client, "failed").await;
        }
        // Closed whatever happened, so no browser outlives the test.
        let closed = client.close().await;
        result
            .and(closed.map_err(|e| format!("cannot close the browser: {e}")))
            .map(|()| None)
    });
    match result {
        Ok(None) => {}
        Ok(Some(reason)) => skip(&format!("headless Chromium does not start: {reason}")),
        Err(message) => panic!("{message}"),
    }
}
