# UDP client that retries: the network may lose the request or the answer.
import time
from socket import *

serverName = 'server'
serverPort = 12000
clientSocket = socket(AF_INET, SOCK_DGRAM)
clientSocket.settimeout(1.0)
for i in range(1, 6):
    message = 'ping %d' % i
    for attempt in range(1, 6):
        start = time.time()
        clientSocket.sendto(message.encode(), (serverName, serverPort))
        try:
            modifiedMessage, serverAddress = clientSocket.recvfrom(2048)
        except timeout:
            print(f'{message}: attempt {attempt} timed out')
            continue
        rtt = (time.time() - start) * 1000
        print(f'{modifiedMessage.decode()} after {attempt} attempt(s), RTT {rtt:.1f} ms')
        break
    else:
        print(f'{message}: giving up')
clientSocket.close()
