mod common;
use common::*;
use socksim::sim::*;

#[test]
fn smoke() {
    let (mut net, client, server) = client_server(1);
    let lfd = listen(&mut net, server, "0.0.0.0", 8080, 5);
    let cfd = socket(&mut net, client, SocketKind::Tcp);
    call(&mut net, client, connect(cfd, "server", 8080)).unwrap();
    let conn = fd_of(call(&mut net, server, Call::Accept { fd: lfd }));
    call(&mut net, client, send(cfd, b"Hello There")).unwrap();
    let got = bytes_of(call(&mut net, server, recv(conn, 1024)));
    assert_eq!(got, b"Hello There");
    call(&mut net, server, Call::Close { fd: conn }).unwrap();
    assert_eq!(bytes_of(call(&mut net, client, recv(cfd, 1024))), b"");
    call(&mut net, client, Call::Close { fd: cfd }).unwrap();
    net.run_until(net.now() + Duration::from_secs(1));
    for r in net.trace().records() {
        println!("{:>10} {:?} {} {}", r.sent_at.total_micros(), r.summary.kind, r.summary.describe(), r.fate.label());
    }
    println!("{:#?}", net.snapshot().hosts);
}
