from socket import *

serverPort = 12000
serverSocket = socket(AF_INET, SOCK_STREAM)
serverSocket.bind(('', serverPort))
serverSocket.listen(5)
print("The server is ready to receive")
for n in range(2):
    connectionSocket, addr = serverSocket.accept()
    print("Greeting", addr[0])
    connectionSocket.send("Hello from server\r\n".encode())
    connectionSocket.close()
serverSocket.close()
