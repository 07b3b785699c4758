//! The listening sockets, with room for a crowd arriving at once.
use std::net::TcpListener;

/// Connections the kernel completes and keeps waiting for the server to accept.
/// The standard library listens with 128: a burst of more people than that (200
/// logins at once) would have their handshakes dropped and wait a whole second
/// for the kernel to try again, however quickly the server answers afterwards.
const BACKLOG: i32 = 4096;

/// A listener bound to `addr` with [`BACKLOG`] (the kernel caps it at `net.core.somaxconn`).
pub fn bind(addr: &str) -> std::io::Result<TcpListener> {
    let listener = TcpListener::bind(addr)?;
    // Listening again on a listening socket sets its backlog anew.
    socket2::SockRef::from(&listener).listen(BACKLOG)?;
    Ok(listener)
}

#[cfg(test)]
mod tests {
    use std::net::TcpStream;
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_burst_of_connections_is_taken_at_once() {
        let listener = bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        // The kernel's cap (4096 on current kernels; where it is 128 this proves nothing).
        let cap: usize = std::fs::read_to_string("/proc/sys/net/core/somaxconn")
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(300);
        // Nobody accepts while they connect: each must be completed by the kernel
        // at once (a dropped handshake would be tried again only after a second).
        let clients: Vec<TcpStream> = (0..cap.min(300))
            .map(|n| {
                TcpStream::connect_timeout(&addr, Duration::from_millis(500))
                    .unwrap_or_else(|e| panic!("connection {n} not taken: {e}"))
            })
            .collect();
        listener.set_nonblocking(true).unwrap();
        let accepted = std::iter::from_fn(|| listener.accept().ok()).count();
        assert_eq!(accepted, clients.len());
    }
}
