import socket
import threading

clients = []
lock = threading.Lock()

def handle(conn, addr):
    name = threading.current_thread().name
    print(f'[{name}] serving {addr[0]}')
    with conn:
        while True:
            data = conn.recv(1024)
            if not data:
                break
            conn.sendall(data.upper())
    with lock:
        clients.remove(addr)
    print(f'[{name}] {addr[0]} left, {len(clients)} still connected')

def main():
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(('', 8000))
    server.listen(5)
    print('Waiting for clients')
    for _ in range(3):
        conn, addr = server.accept()
        with lock:
            clients.append(addr)
        t = threading.Thread(target=handle, args=(conn, addr))
        t.start()
    print('Served three clients; the threads go on')
    server.close()

if __name__ == '__main__':
    main()
