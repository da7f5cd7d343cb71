package com.streampulse.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The proxy against a plain echo server on loopback: every mode, as a client sees it. */
class TcpProxyTest {

    private static final Duration PATIENCE = Duration.ofSeconds(10);

    private EchoServer echo;
    private TcpProxy proxy;

    @BeforeEach
    void start() throws IOException {
        echo = new EchoServer();
        proxy = TcpProxy.to(echo.port());
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        echo.close();
    }

    @Test
    void listensOnLoopbackOnly() {
        assertThat(proxy.address()).isEqualTo("127.0.0.1:" + proxy.port());
    }

    @Test
    void passesBytesBothWays() throws Exception {
        try (Socket client = connect()) {
            assertThat(roundTrip(client, "hello")).isEqualTo("hello");
            assertThat(roundTrip(client, "again")).isEqualTo("again");
        }
        assertThat(proxy.connectionsAccepted()).isEqualTo(1);
    }

    @Test
    void delayAddsLatencyEachWay() throws Exception {
        try (Socket client = connect()) {
            assertThat(roundTrip(client, "warm")).isEqualTo("warm");
            proxy.delay(Duration.ofMillis(200));

            long start = System.nanoTime();
            assertThat(roundTrip(client, "slow")).isEqualTo("slow");
            long millis = (System.nanoTime() - start) / 1_000_000;

            assertThat(millis).as("round trip with 200 ms each way").isBetween(400L, 5_000L);
            proxy.pass();
            start = System.nanoTime();
            assertThat(roundTrip(client, "fast")).isEqualTo("fast");
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(400L);
        }
    }

    @Test
    void blackHoleHoldsConnectionsOpenAndDeliversWhenItCloses() throws Exception {
        try (Socket open = connect()) {
            assertThat(roundTrip(open, "before")).isEqualTo("before");
            long received = echo.bytesReceived();
            proxy.blackHole();

            send(open, "held");
            assertThat(nothingArrives(open, Duration.ofMillis(500)))
                    .as("no reply and no end of stream: the connection is open but silent")
                    .isTrue();
            assertThat(echo.bytesReceived()).as("nothing reached the server").isEqualTo(received);

            // A new connection is accepted but never reaches the server.
            try (Socket fresh = connect()) {
                send(fresh, "new");
                assertThat(nothingArrives(fresh, Duration.ofMillis(300))).isTrue();
                assertThat(await(() -> proxy.openConnections() == 2)).isTrue();
                assertThat(echo.connections()).isEqualTo(1);

                proxy.pass();
                assertThat(receive(open, 4)).as("what the hole held").isEqualTo("held");
                assertThat(receive(fresh, 3)).isEqualTo("new");
                assertThat(echo.connections()).isEqualTo(2);
            }
        }
    }

    @Test
    void downResetsOpenConnectionsAndEveryNewOne() throws Exception {
        try (Socket open = connect()) {
            assertThat(roundTrip(open, "up")).isEqualTo("up");
            proxy.down();

            assertThat(fails(open)).as("the open connection was reset").isTrue();
            assertThat(proxy.cutConnections()).isEqualTo(1);
            try (Socket fresh = connect()) {
                assertThat(fails(fresh)).as("a new connection is reset at once").isTrue();
            }
            assertThat(proxy.downPhases()).isEqualTo(1);
        }
        proxy.pass();
        try (Socket again = connect()) {
            assertThat(roundTrip(again, "back")).isEqualTo("back");
        }
    }

    @Test
    void cutResetsOpenConnectionsAndTheLinkStaysUp() throws Exception {
        try (Socket first = connect();
                Socket second = connect()) {
            assertThat(roundTrip(first, "a")).isEqualTo("a");
            assertThat(roundTrip(second, "b")).isEqualTo("b");

            proxy.cut();

            assertThat(fails(first)).isTrue();
            assertThat(fails(second)).isTrue();
            assertThat(await(() -> proxy.openConnections() == 0)).isTrue();
            assertThat(proxy.cutConnections()).isEqualTo(2);
        }
        try (Socket fresh = connect()) {
            assertThat(roundTrip(fresh, "c")).isEqualTo("c");
        }
    }

    @Test
    void flapAlternatesDownAndUpUntilAnotherModeIsSet() throws Exception {
        try (Socket open = connect()) {
            assertThat(roundTrip(open, "up")).isEqualTo("up");
            proxy.flap(Duration.ofMillis(300), Duration.ofMillis(300));
            assertThat(fails(open)).as("flapping starts by going down").isTrue();
        }

        AtomicInteger succeeded = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        assertThat(
                        await(
                                () -> {
                                    attempt(succeeded, failed);
                                    return proxy.downPhases() >= 3
                                            && succeeded.get() > 0
                                            && failed.get() > 0;
                                }))
                .as("%d up, %d down, %d down phases", succeeded, failed, proxy.downPhases())
                .isTrue();

        proxy.pass();
        long phases = proxy.downPhases();
        for (int i = 0; i < 5; i++) {
            try (Socket client = connect()) {
                assertThat(roundTrip(client, "steady")).isEqualTo("steady");
            }
        }
        assertThat(proxy.downPhases()).as("flapping ended").isEqualTo(phases);
    }

    @Test
    void anUnreachableServerLooksLikeAReset() throws Exception {
        // a port bound without listening refuses connections and cannot be taken by anyone else
        try (Socket bound = new Socket();
                TcpProxy toNowhere = bindThenProxy(bound);
                Socket client = connect(toNowhere)) {
            assertThat(fails(client)).isTrue();
        }
    }

    private static TcpProxy bindThenProxy(Socket bound) throws IOException {
        bound.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
        return TcpProxy.to(bound.getLocalPort());
    }

    private void attempt(AtomicInteger succeeded, AtomicInteger failed) {
        try (Socket client = connect()) {
            client.setSoTimeout(1_000);
            if ("x".equals(roundTrip(client, "x"))) {
                succeeded.incrementAndGet();
            } else {
                failed.incrementAndGet();
            }
        } catch (IOException e) {
            failed.incrementAndGet();
        }
    }

    private Socket connect() throws IOException {
        return connect(proxy);
    }

    private static Socket connect(TcpProxy to) throws IOException {
        Socket socket = new Socket(InetAddress.getByName("127.0.0.1"), to.port());
        socket.setSoTimeout((int) PATIENCE.toMillis());
        return socket;
    }

    private static void send(Socket socket, String text) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Exactly {@code length} bytes, or what arrived before the end of the stream. */
    private static String receive(Socket socket, int length) throws IOException {
        InputStream in = socket.getInputStream();
        byte[] bytes = new byte[length];
        int n = 0;
        while (n < length) {
            int r = in.read(bytes, n, length - n);
            if (r < 0) {
                break;
            }
            n += r;
        }
        return new String(bytes, 0, n, StandardCharsets.UTF_8);
    }

    private static String roundTrip(Socket socket, String text) throws IOException {
        send(socket, text);
        return receive(socket, text.length());
    }

    /** True when a read for {@code window} gets neither data nor the end of the stream. */
    private static boolean nothingArrives(Socket socket, Duration window) throws IOException {
        int previous = socket.getSoTimeout();
        socket.setSoTimeout((int) window.toMillis());
        try {
            socket.getInputStream().read();
            return false;
        } catch (SocketTimeoutException expected) {
            return true;
        } finally {
            socket.setSoTimeout(previous);
        }
    }

    /** True when the connection is reset or closed: writing and reading get nowhere. */
    private static boolean fails(Socket socket) {
        try {
            send(socket, "?");
            return socket.getInputStream().read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private static boolean await(BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    /** Echoes every byte back; counts connections and bytes. */
    private static final class EchoServer implements AutoCloseable {

        private final ServerSocket server =
                new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        private final AtomicInteger connections = new AtomicInteger();
        private final AtomicLong received = new AtomicLong();

        EchoServer() throws IOException {
            Thread acceptor = new Thread(this::accept, "echo-accept");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return server.getLocalPort();
        }

        int connections() {
            return connections.get();
        }

        long bytesReceived() {
            return received.get();
        }

        private void accept() {
            while (true) {
                try {
                    Socket socket = server.accept();
                    connections.incrementAndGet();
                    Thread echo = new Thread(() -> echo(socket), "echo");
                    echo.setDaemon(true);
                    echo.start();
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void echo(Socket socket) {
            try (socket) {
                InputStream in = socket.getInputStream();
                OutputStream out = socket.getOutputStream();
                byte[] buffer = new byte[4096];
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    received.addAndGet(n);
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // the client went away
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
