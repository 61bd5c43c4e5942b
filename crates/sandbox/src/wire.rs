//! The faults that must happen on the wire, not in an HTTP answer — made with the kernel's own
//! TCP on 127.0.0.1, without root, iptables or `tc`, so a client sees what a broken network shows.
//!
//! **`tcp-blackhole`** (an NSG or a route dropping TCP 443): the Foundry HTTPS port is a listening
//! socket with a backlog of 0 whose accept queue the sandbox fills with its own connection and
//! never drains. Linux drops a SYN that arrives for a listener whose accept queue is full
//! (`tcp_conn_request`: `sk_acceptq_is_full` → drop, counted as `ListenOverflows`), without a RST.
//! So a client's `connect()` neither completes nor is refused: the kernel retransmits the SYN
//! (after 1 s, then 1 s, 1 s, 1 s — `tcp_syn_linear_timeouts` — then 2 s, 4 s…) until the
//! client's own timeout, exactly like a SYN lost in a firewall. (A bound socket that never calls
//! `listen()` would answer RST — "connection refused" — which is a different failure.) macOS
//! drops such SYNs too; Windows answers RST, so there the fault looks like a closed port.
//!
//! **`slow-link`** (a round trip above the latency threshold): an unprivileged process cannot delay
//! the kernel's SYN-ACK on loopback — the handshake completes before `accept()`. Holding the
//! accept queue full only delays a connect by the SYN retransmission timeout (≥ 1 s, or never),
//! which is packet loss, not latency. So the delay sits at the first point a server can hold:
//! once the ClientHello has arrived the Foundry HTTPS listener waits [`SLOW_LINK`] before it reads
//! it (timed from its arrival, not from `accept()`, which can come first). A bare TCP connect
//! stays at loopback speed (well under 1 ms); the TLS ServerHello arrives [`SLOW_LINK`] after the
//! ClientHello went out, one slow round trip, as on a real slow link. A client measuring the link should time connect + ClientHello → first ServerHello byte.

use super::{SandboxError, dns::bind_error};
use std::time::Duration;
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio_util::sync::CancellationToken;

/// The latency `slow-link` adds before the Foundry HTTPS port's TLS handshake (above the
/// doctor's default `max_latency_ms` of 50).
pub const SLOW_LINK: Duration = Duration::from_millis(120);

/// How long a filler connection may take before the accept queue counts as full.
const FULL_AFTER: Duration = Duration::from_millis(250);
/// More fillers than this means the kernel is not dropping SYNs (not Linux-like): give up.
const MAX_FILLERS: usize = 16;

/// A port that accepts nothing: a full accept queue that is never drained.
pub struct Blackhole {
    _listener: TcpListener,
    _fillers: Vec<TcpStream>,
}

/// Binds 127.0.0.1:`port` (0 = any free port) with a backlog of 0 and fills its accept queue.
pub async fn blackhole(what: &'static str, port: u16) -> Result<(Blackhole, u16), SandboxError> {
    let socket = TcpSocket::new_v4().map_err(|e| bind_error(what, port, e))?;
    #[cfg(unix)]
    socket.set_reuseaddr(true).map_err(|e| bind_error(what, port, e))?;
    socket.bind(([127, 0, 0, 1], port).into()).map_err(|e| bind_error(what, port, e))?;
    let listener = socket.listen(0).map_err(|e| bind_error(what, port, e))?;
    let addr = listener.local_addr().map_err(|e| bind_error(what, port, e))?;
    let mut fillers = Vec::new();
    loop {
        if fillers.len() >= MAX_FILLERS {
            return Err(SandboxError::Blackhole(format!("the accept queue of {addr} did not fill after {MAX_FILLERS} connections")));
        }
        match tokio::time::timeout(FULL_AFTER, TcpStream::connect(addr)).await {
            Ok(Ok(stream)) => fillers.push(stream),
            // The SYN was dropped: the queue is full. Dropping the attempt closes its socket.
            Err(_) if !fillers.is_empty() => break,
            Err(_) => return Err(SandboxError::Blackhole(format!("the first connection to {addr} did not complete"))),
            Ok(Err(e)) => return Err(SandboxError::Blackhole(format!("cannot fill the accept queue of {addr}: {e}"))),
        }
    }
    tracing::debug!(%addr, fillers = fillers.len(), "tcp-blackhole: accept queue full");
    Ok((Blackhole { _listener: listener, _fillers: fillers }, addr.port()))
}

impl Blackhole {
    /// Keeps the port black until `cancel` fires, then closes it.
    pub async fn hold(self, cancel: CancellationToken) {
        cancel.cancelled().await;
        drop(self);
    }
}
