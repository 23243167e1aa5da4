import logging
import socket

logging.basicConfig(level=logging.INFO, format='%(asctime)s %(levelname)s %(message)s')
log = logging.getLogger('server')

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(('0.0.0.0', 9000))
server.listen(5)
logging.info('listening on %s:%d', '0.0.0.0', 9000)
conn, (host, port) = server.accept()
log.info('connection from %s port %d', host, port)
total = 0
while True:
    data = conn.recv(1024)
    if not data:
        break
    total += len(data)
    log.debug('got %d bytes', len(data))
    if data.strip() == b'quit':
        logging.warning('client asked to quit')
        break
    conn.sendall(b'ok ' + data)
conn.close()
logging.error('closed after %d bytes', total)
