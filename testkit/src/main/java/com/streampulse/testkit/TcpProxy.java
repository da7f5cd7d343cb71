package com.streampulse.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A TCP proxy on loopback for network fault tests: it sits between a client (the job) and a server
 * (PostgreSQL, a Kafka broker) and can pass traffic through, delay it, cut every connection, black-
 * hole it, or flap between up and down. Plain blocking sockets, four threads per connection (a
 * reader and a writer each way); meant for a few dozen connections, not for load.
 *
 * <p>The faults, as a client sees them:
 *
 * <ul>
 *   <li>{@link #pass()}: a healthy link.
 *   <li>{@link #delay(Duration)}: every byte arrives that much later, each way, in order.
 *   <li>{@link #blackHole()}: packets are lost. Open connections stay open and nothing moves either
 *       way; new connections are accepted (the client's connect succeeds) but never reach the
 *       server. When the hole closes, what was held is delivered, as TCP retransmission would: a
 *       client that gave up and closed meanwhile may still have its last requests executed by the
 *       server.
 *   <li>{@link #down()}: every open connection is reset (RST) and new ones are reset at once, as a
 *       server or load balancer that restarts.
 *   <li>{@link #cut()}: every open connection is reset now; the link stays as it was.
 *   <li>{@link #flap(Duration, Duration)}: down, up, down, up... until another mode is set.
 * </ul>
 *
 * <p>Only loopback: it listens on 127.0.0.1 and connects to 127.0.0.1.
 */
public final class TcpProxy implements AutoCloseable {

    private static final InetAddress LOOPBACK = loopback();
    private static final int CHUNK = 16 * 1024;

    /** Chunks held per direction before the reader stops reading (TCP backpressure). */
    private static final int HELD_CHUNKS = 64;

    private enum Mode {
        PASS,
        BLACK_HOLE,
        DOWN
    }

    private final ServerSocket listener;
    private final int targetPort;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong downPhases = new AtomicLong();
    private final AtomicLong cutConnections = new AtomicLong();

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private Mode mode = Mode.PASS; // guarded by lock
    private long delayNanos; // guarded by lock
    private Thread flapper; // guarded by lock
    private volatile boolean closed;

    private TcpProxy(ServerSocket listener, int targetPort) {
        this.listener = listener;
        this.targetPort = targetPort;
        Thread acceptor = new Thread(this::acceptLoop, "tcp-proxy-" + port() + "-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A proxy on a free port of 127.0.0.1 to 127.0.0.1:{@code targetPort}, passing traffic. */
    public static TcpProxy to(int targetPort) {
        return on(0, targetPort);
    }

    /** A proxy on 127.0.0.1:{@code port} (0: any free one) to 127.0.0.1:{@code targetPort}. */
    public static TcpProxy on(int port, int targetPort) {
        try {
            ServerSocket listener = new ServerSocket();
            listener.setReuseAddress(true);
            listener.bind(new InetSocketAddress(LOOPBACK, port), 50);
            return new TcpProxy(listener, targetPort);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not listen on 127.0.0.1:" + port, e);
        }
    }

    /** A port of 127.0.0.1 that was free a moment ago (for servers that must know it up front). */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, LOOPBACK)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free port on 127.0.0.1", e);
        }
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** {@code 127.0.0.1:port}, what clients connect to. */
    public String address() {
        return LOOPBACK.getHostAddress() + ":" + port();
    }

    /** A healthy link: everything forwarded at once. Ends flapping. */
    public void pass() {
        set(Mode.PASS, 0, true);
    }

    /** Everything forwarded {@code eachWay} later in each direction (round trip twice that). */
    public void delay(Duration eachWay) {
        set(Mode.PASS, eachWay.toNanos(), true);
    }

    /** Nothing moves; connections stay open and new ones are accepted and held. Ends flapping. */
    public void blackHole() {
        set(Mode.BLACK_HOLE, 0, true);
    }

    /** Every connection reset, and new ones reset as soon as they are accepted. Ends flapping. */
    public void down() {
        set(Mode.DOWN, 0, true);
    }

    /** Resets every open connection now, whatever the mode. */
    public void cut() {
        for (Link link : List.copyOf(links)) {
            if (link.server.isConnected() && !link.closed) {
                cutConnections.incrementAndGet();
            }
            link.close(true);
        }
    }

    /**
     * Alternates: {@link #down()} for {@code down}, then up (passing) for {@code up}, starting with
     * down, until another mode is set.
     */
    public void flap(Duration up, Duration down) {
        lock.lock();
        try {
            stopFlapping();
            change(Mode.DOWN, 0); // the first phase, at once
            Thread thread = new Thread(() -> flapLoop(up, down), "tcp-proxy-" + port() + "-flap");
            thread.setDaemon(true);
            flapper = thread;
            thread.start();
        } finally {
            lock.unlock();
        }
        cut();
    }

    /** Connections accepted since the start. */
    public long connectionsAccepted() {
        return accepted.get();
    }

    /** Connections open through the proxy now (held ones in a black hole included). */
    public int openConnections() {
        return links.size();
    }

    /** How many times the link went down (by {@link #down()} or a flap). */
    public long downPhases() {
        return downPhases.get();
    }

    /** Connections to the server that were reset while open (by a cut, going down or a flap). */
    public long cutConnections() {
        return cutConnections.get();
    }

    @Override
    public void close() {
        closed = true;
        lock.lock();
        try {
            stopFlapping();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            listener.close();
        } catch (IOException e) {
            // closing anyway
        }
        cut();
    }

    private void set(Mode newMode, long newDelayNanos, boolean endFlapping) {
        lock.lock();
        try {
            if (endFlapping) {
                stopFlapping();
            }
            change(newMode, newDelayNanos);
        } finally {
            lock.unlock();
        }
        if (newMode == Mode.DOWN) {
            cut();
        }
    }

    /** Under the lock. */
    private void change(Mode newMode, long newDelayNanos) {
        if (newMode == Mode.DOWN && mode != Mode.DOWN) {
            downPhases.incrementAndGet();
        }
        mode = newMode;
        delayNanos = newDelayNanos;
        changed.signalAll();
    }

    private void stopFlapping() {
        if (flapper != null) {
            flapper.interrupt();
            flapper = null;
        }
    }

    private void flapLoop(Duration up, Duration down) {
        Thread self = Thread.currentThread();
        try {
            Thread.sleep(down.toMillis()); // the first down phase, which flap() set
            while (phase(self, Mode.PASS, up) && phase(self, Mode.DOWN, down)) {
                // phase() holds each mode for its time
            }
        } catch (InterruptedException e) {
            // flapping ended
        }
    }

    /** Sets {@code phaseMode} unless flapping ended, then holds it for {@code length}. */
    private boolean phase(Thread self, Mode phaseMode, Duration length)
            throws InterruptedException {
        lock.lock();
        try {
            if (flapper != self) {
                return false; // another mode was set meanwhile: it stands
            }
            change(phaseMode, 0);
        } finally {
            lock.unlock();
        }
        if (phaseMode == Mode.DOWN) {
            cut();
        }
        Thread.sleep(length.toMillis()); // the fault's own rhythm, interrupted when it ends
        return true;
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            accepted.incrementAndGet();
            if (currentMode() == Mode.DOWN) {
                reset(client);
                continue;
            }
            Link link = new Link(client);
            links.add(link);
            Thread opener = new Thread(link::open, "tcp-proxy-" + port() + "-open");
            opener.setDaemon(true);
            opener.start();
        }
    }

    private Mode currentMode() {
        lock.lock();
        try {
            return mode;
        } finally {
            lock.unlock();
        }
    }

    /** Waits while the link is black-holed; false when the link went down or the proxy closed. */
    private boolean awaitPassable(Link link) throws InterruptedException {
        lock.lock();
        try {
            while (mode == Mode.BLACK_HOLE && !link.closed && !closed) {
                changed.await();
            }
            return mode == Mode.PASS && !link.closed && !closed;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until {@code due} (System.nanoTime) and while black-holed. */
    private boolean awaitDelivery(Link link, long due) throws InterruptedException {
        lock.lock();
        try {
            while (!link.closed && !closed) {
                long wait = due - System.nanoTime();
                if (mode == Mode.BLACK_HOLE) {
                    changed.await();
                } else if (wait > 0) {
                    changed.awaitNanos(wait);
                } else {
                    return mode == Mode.PASS;
                }
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    private long delayNanos() {
        lock.lock();
        try {
            return delayNanos;
        } finally {
            lock.unlock();
        }
    }

    private static void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0); // close() then sends RST instead of FIN
        } catch (IOException e) {
            // already gone
        }
        closeQuietly(socket);
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    private static InetAddress loopback() {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Bytes read at one time (length -1: the end of the stream), to pass on once due. */
    private record Chunk(byte[] bytes, int length, long due) {

        boolean isEnd() {
            return length < 0;
        }
    }

    /** One client connection and its connection to the server. */
    private final class Link {

        private final Socket client;
        private final Socket server = new Socket();
        private final List<Thread> threads = new CopyOnWriteArrayList<>();
        private volatile boolean closed;

        Link(Socket client) {
            this.client = client;
        }

        /** Connects to the server once the link lets a connection through, then starts pumping. */
        void open() {
            try {
                if (!awaitPassable(this)) {
                    close(true);
                    return;
                }
                server.connect(new InetSocketAddress(LOOPBACK, targetPort), 5_000);
                if (server.getLocalPort() == targetPort) {
                    // TCP self-connect: with nothing listening, the kernel can pick the target
                    // port as our own source port and connect the socket to itself
                    close(true);
                    return;
                }
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                pipe(client, server, "up");
                pipe(server, client, "down");
            } catch (IOException e) {
                close(true); // the server is unreachable: the client sees a reset
            } catch (InterruptedException e) {
                close(true);
            }
        }

        private void pipe(Socket from, Socket to, String direction) throws IOException {
            BlockingQueue<Chunk> held = new ArrayBlockingQueue<>(HELD_CHUNKS);
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            start(() -> read(in, held), direction + "-read");
            start(() -> write(held, out), direction + "-write");
        }

        private void start(Runnable body, String name) {
            Thread thread = new Thread(body, "tcp-proxy-" + port() + "-" + name);
            thread.setDaemon(true);
            threads.add(thread);
            if (closed) {
                return;
            }
            thread.start();
        }

        private void read(InputStream in, BlockingQueue<Chunk> held) {
            try {
                while (true) {
                    byte[] buffer = new byte[CHUNK];
                    int n = in.read(buffer);
                    long due = System.nanoTime() + delayNanos();
                    if (n < 0) {
                        held.put(new Chunk(null, -1, due)); // a FIN is delayed and held too
                        return;
                    }
                    held.put(new Chunk(n < CHUNK / 4 ? Arrays.copyOf(buffer, n) : buffer, n, due));
                }
            } catch (IOException | InterruptedException e) {
                close(true);
            }
        }

        private void write(BlockingQueue<Chunk> held, OutputStream out) {
            try {
                while (true) {
                    Chunk chunk = held.take();
                    if (!awaitDelivery(this, chunk.due())) {
                        close(true);
                        return;
                    }
                    if (chunk.isEnd()) {
                        close(false); // the peer closed: close both sides, after what it sent
                        return;
                    }
                    out.write(chunk.bytes(), 0, chunk.length());
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                close(true);
            }
        }

        /** Closes both sockets, with a reset ({@code reset}) or an orderly close. */
        void close(boolean reset) {
            if (closed) {
                return;
            }
            closed = true;
            links.remove(this);
            lock.lock();
            try {
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            if (reset) {
                reset(client);
                reset(server);
            } else {
                closeQuietly(client);
                closeQuietly(server);
            }
            for (Thread thread : threads) {
                if (thread != Thread.currentThread()) {
                    thread.interrupt();
                }
            }
        }
    }

    @Override
    public String toString() {
        return "TcpProxy[" + address() + " -> 127.0.0.1:" + targetPort + "]";
    }
}
