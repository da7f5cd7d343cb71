package com.streampulse.local;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** The well-known port when it is free (so tools find the stack), any free port otherwise. */
final class Ports {

    private Ports() {}

    /** {@code preferred} if nothing listens on it; 0 picks any free port. */
    static int preferred(int preferred) {
        if (preferred > 0 && isFree(preferred)) {
            return preferred;
        }
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("No free port on localhost", e);
        }
    }

    static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
