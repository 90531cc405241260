//! `experiments serve`: the playground, a page in the browser where a net trains live.
//!
//! The binary serves one page (HTML, CSS and JavaScript built into it: [`http`]) and a JSON
//! API. Each browser tab gets a session ([`session`]) whose settings are the `[dataset]` and
//! `[model]` tables of a study file, validated by the study rules ([`config`]); its training
//! runs on its own thread through the same `models` code and seeds as `experiments train`, so
//! a model downloaded from the page is the one the command line makes. While it trains, the
//! thread hands snapshots of the parameters to the tab's WebSocket, which draws them into
//! compact binary frames ([`frame`]): the decision boundary, each neuron's output, metrics,
//! loss curves and gradient norms. [`presets`] turns the shipped studies' points into
//! one-click settings.
//!
//! It listens on loopback unless told otherwise, reads nothing from the file system, and
//! limits sessions, data and net sizes.

pub mod config;
pub mod frame;
pub mod http;
pub mod presets;
pub mod session;
mod trainer;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use crate::Error;

/// `experiments serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The port to listen on (0: any free port; the URL printed says which).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// The address to listen on. The default answers this computer only; any other lets
    /// everyone who can reach it use the playground (and its CPU).
    #[arg(long, default_value = "127.0.0.1", value_parser = parse_host)]
    host: IpAddr,
    /// Open the page in the default browser.
    #[arg(long)]
    open: bool,
    /// The most sessions (browser tabs) at once, 1 to 64.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=64))]
    max_sessions: u16,
    /// Seconds a tab may stay silent (hidden, asleep or closed) before its training pauses
    /// and, once its connection is gone, its session ends; 1 to 3600.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3600))]
    idle_seconds: u64,
}

fn parse_host(text: &str) -> Result<IpAddr, String> {
    if text == "localhost" {
        return Ok(IpAddr::V4(Ipv4Addr::LOCALHOST));
    }
    text.parse()
        .map_err(|_| format!("{text:?} is not an IP address, such as 127.0.0.1 or ::1"))
}

/// The `Host` header values a server on `address` answers to: on loopback, its own address
/// and `localhost`; elsewhere any (it cannot know the names others reach it by).
fn accepted_hosts(address: SocketAddr) -> Vec<String> {
    if !address.ip().is_loopback() {
        return Vec::new();
    }
    let port = address.port();
    let own = match address.ip() {
        IpAddr::V6(ip) => format!("[{ip}]:{port}"),
        IpAddr::V4(ip) => format!("{ip}:{port}"),
    };
    vec![own, format!("localhost:{port}")]
}

/// Runs the server until the process is stopped.
///
/// # Errors
/// The address cannot be listened on (in use, not this machine's); the runtime cannot start.
pub fn serve(args: &ServeArgs) -> Result<ExitCode, Error> {
    let address = SocketAddr::new(args.host, args.port);
    let listener = std::net::TcpListener::bind(address).map_err(|e| {
        Error::Usage(format!(
            "cannot listen on {address}: {e}; choose another --port (0 picks a free one)"
        ))
    })?;
    let address = listener
        .local_addr()
        .map_err(|e| Error::Internal(format!("cannot read the listening address: {e}")))?;
    listener
        .set_nonblocking(true)
        .map_err(|e| Error::Internal(format!("cannot set up the listener: {e}")))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("serve")
        // The frames run the product kernels, whose unoptimised (debug) build needs more than
        // the default 2 MiB of stack; 8 MiB is the main thread's.
        .thread_stack_size(8 << 20)
        .build()
        .map_err(|e| Error::Internal(format!("cannot start the server's runtime: {e}")))?;
    let app = Arc::new(http::App {
        registry: session::Registry::new(
            usize::from(args.max_sessions),
            Duration::from_secs(args.idle_seconds),
        ),
        hosts: accepted_hosts(address),
    });
    let url = match address.ip() {
        IpAddr::V6(ip) => format!("http://[{ip}]:{}/", address.port()),
        IpAddr::V4(ip) => format!("http://{ip}:{}/", address.port()),
    };
    if !address.ip().is_loopback() {
        eprintln!(
            "warning: listening on {address}, not loopback: anyone who can reach this address \
             can use the playground"
        );
    }
    println!("playground at {url} (Ctrl-C stops it)");
    if args.open
        && let Err(e) = std::process::Command::new("xdg-open").arg(&url).spawn()
    {
        eprintln!("warning: cannot open a browser (xdg-open: {e}); open {url} yourself");
    }
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)
            .map_err(|e| Error::Internal(format!("cannot set up the listener: {e}")))?;
        tokio::spawn(http::reap(Arc::clone(&app)));
        axum::serve(listener, http::router(app))
            .await
            .map_err(|e| Error::Internal(format!("the server stopped: {e}")))
    })?;
    Ok(ExitCode::SUCCESS)
}
