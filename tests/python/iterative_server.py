from socket import *

s = socket(AF_INET, SOCK_STREAM)
s.bind(('', 7000))
s.listen(5)
served = 0
while served < 3:
    conn, addr = s.accept()
    served += 1
    print('client %d from %s:%d' % (served, addr[0], addr[1]))
    request = conn.recv(1024)
    conn.sendall(b'you are number ' + str(served).encode())
    conn.close()
s.close()
print('done')
