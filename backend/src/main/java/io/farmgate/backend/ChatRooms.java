package io.farmgate.backend;

import io.farmgate.client.StreamPosition;
import io.javalin.websocket.WsContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rooms of this host when frames carry positions: who is in which room, the position each
 * member has been sent up to, and the seam between a resuming member's replay and the live frames.
 * Every method runs on the one delivery thread (the executor given), so no state here is shared.
 *
 * <p>The seam: a member joins as <em>replaying</em>, so live entries that arrive for the room while
 * its replay is read from Redis are buffered; the replay (entries after the member's start) is
 * sent, then the buffered entries after the last replayed one, then it is live. A live entry
 * reaches a member only when it is after the last position that member was sent, so an entry both
 * replayed and buffered goes out once, and the stream's order is the order sent. Nothing is
 * skipped: the host's reader reads the room's stream from a cursor, so every entry after the
 * replay's snapshot reaches the buffer or the live path.
 */
final class ChatRooms {

    private static final Logger log = LoggerFactory.getLogger(ChatRooms.class);
    /** The room of a client that names none. */
    static final String DEFAULT_ROOM = "lobby";
    private static final Pattern ROOM_NAME = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
    static final String BAD_RESUME = "bad resume position";
    /** How often a room whose position Redis did not answer asks again. */
    private static final long REOPEN_MILLIS = 1_000;

    /** How this class reaches a socket; on the delivery thread. */
    interface Sockets {
        void send(WsContext ctx, String text);

        void close(WsContext ctx, int code, String reason);
    }

    private final RoomLog roomLog;
    private final Executor delivery;
    private final Sockets sockets;
    private final int retention;
    private final Map<String, Room> rooms = new HashMap<>();
    private final Map<String, Member> members = new HashMap<>();
    private final AtomicLong gaps = new AtomicLong();
    private final AtomicLong replayed = new AtomicLong();
    private final AtomicLong refusedResumes = new AtomicLong();

    private static final class Room {
        final String name;
        final List<Member> members = new ArrayList<>();
        /** The last position sent to this room's members; null until the room's last position is known. */
        StreamPosition cursor;
        /** Redis did not answer the room's last position: members join without positions meanwhile. */
        boolean unpositioned;
        /** The number of the entry at the cursor; -1 when unknown. */
        long cursorNumber = -1;

        Room(String name) {
            this.name = name;
        }
    }

    private static final class Member {
        final WsContext ctx;
        final Room room;
        final StreamPosition resume;
        StreamPosition sentUpTo;
        /** Non-null while the replay is being read: live entries wait here. */
        List<RoomLog.Entry> waiting = new ArrayList<>();
        /**
         * Appends of this member's messages held until its start position is known (a fresh member of a
         * room this host is still opening), so that its own messages come after it: null once started.
         */
        List<Runnable> held;

        Member(WsContext ctx, Room room, StreamPosition resume) {
            this.ctx = ctx;
            this.room = room;
            this.resume = resume;
            // A resume's start is the position asked for, and every new entry comes after it.
            this.held = resume == null ? new ArrayList<>() : null;
        }

        void started() {
            if (held != null) {
                List<Runnable> run = held;
                held = null;
                run.forEach(Runnable::run);
            }
        }
    }

    /** How many entries one replay read fetches; a longer replay is read in several. */
    static final int REPLAY_CHUNK = 1_000;
    /** Live entries one member may have waiting behind its replay before it is closed (it resumes again). */
    static final int MAX_WAITING = 100_000;

    /** @param retention the room streams' MAXLEN: what tells a trimmed stream from a young one */
    ChatRooms(RoomLog roomLog, Executor delivery, Sockets sockets, int retention) {
        this.roomLog = roomLog;
        this.delivery = delivery;
        this.sockets = sockets;
        this.retention = retention;
    }

    /** The room a client's {@code room} query parameter names, or null when it is not a valid name. */
    static String roomName(String param) {
        if (param == null || param.isEmpty()) {
            return DEFAULT_ROOM;
        }
        return ROOM_NAME.matcher(param).matches() ? param : null;
    }

    long gaps() {
        return gaps.get();
    }

    long replayedFrames() {
        return replayed.get();
    }

    long refusedResumes() {
        return refusedResumes.get();
    }

    /** Counts a resume refused before it reached a room (malformed). */
    void refusedResume() {
        refusedResumes.incrementAndGet();
    }

    /** Adds {@code ctx} to {@code roomName}, from {@code resume} (null for a first connection). */
    void join(WsContext ctx, String roomName, StreamPosition resume) {
        Room room = rooms.get(roomName);
        boolean fresh = room == null;
        if (fresh) {
            room = new Room(roomName);
            rooms.put(roomName, room);
        }
        Member member = new Member(ctx, room, resume);
        room.members.add(member);
        members.put(ctx.sessionId(), member);
        if (fresh) {
            Room opening = room;
            roomLog.lastPosition(roomName).whenComplete((last, error) -> delivery.execute(() -> opened(opening, last, error)));
        } else if (room.cursor != null) {
            start(member);
        } else if (room.unpositioned) {
            startUnpositioned(member);
        }
    }

    /**
     * Redis is away: a fresh member chats with this host's members of the room, without positions (as
     * the relay did before positions); a resuming one cannot get its replay, so it is closed and comes
     * back later (1011, which a client retries with its backoff).
     */
    private void startUnpositioned(Member member) {
        if (member.resume != null) {
            leave(member.ctx);
            sockets.close(member.ctx, 1011, "replay unavailable: reconnect through the front door");
        } else {
            member.waiting = null;
            member.started();
        }
    }

    private void opened(Room room, StreamPosition last, Throwable error) {
        if (rooms.get(room.name) != room) {
            return;
        }
        if (error != null) {
            if (!room.unpositioned) {
                log.warn("room {}: cannot read its position, members join without positions until Redis answers: {}",
                        room.name, error.toString());
                room.unpositioned = true;
                for (Member m : List.copyOf(room.members)) {
                    startUnpositioned(m);
                }
            }
            CompletableFuture.delayedExecutor(REOPEN_MILLIS, TimeUnit.MILLISECONDS, delivery).execute(() -> {
                if (rooms.get(room.name) == room) {
                    roomLog.lastPosition(room.name).whenComplete((p, e) -> delivery.execute(() -> opened(room, p, e)));
                }
            });
            return;
        }
        room.cursor = last;
        room.unpositioned = false;
        roomLog.follow(room.name, room, last);
        for (Member m : List.copyOf(room.members)) {
            if (m.waiting == null && m.sentUpTo == null) {
                // Joined while Redis was away: positioned from here on.
                m.sentUpTo = last;
                sockets.send(m.ctx, positionFrame(last));
            } else {
                start(m);
            }
        }
    }

    private void start(Member member) {
        if (member.resume == null) {
            member.sentUpTo = member.room.cursor;
            member.waiting = null;
            sockets.send(member.ctx, positionFrame(member.sentUpTo));
            member.started();
            return;
        }
        StreamPosition from = member.resume.next();
        if (from == null) {
            refuse(member);
            return;
        }
        readReplay(member, member.resume, from);
    }

    private void readReplay(Member member, StreamPosition asked, StreamPosition from) {
        roomLog.replay(member.room.name, asked, from, REPLAY_CHUNK)
                .whenComplete((replay, error) -> delivery.execute(() -> replayed(member, replay, error)));
    }

    private void replayed(Member member, RoomLog.Replay replay, Throwable error) {
        if (members.get(member.ctx.sessionId()) != member) {
            return;
        }
        if (error != null) {
            log.warn("room {}: cannot read a replay: {}", member.room.name, error.toString());
            leave(member.ctx);
            sockets.close(member.ctx, 1011, "replay unavailable: reconnect through the front door");
            return;
        }
        if (member.sentUpTo == null) {
            // The frames that follow come after the position asked for: every replayed one is after it.
            StreamPosition start = member.resume;
            if (member.resume.after(replay.last())) {
                if (replay.length() > 0) {
                    refuse(member);
                    return;
                }
                // Ahead of a room whose stream is gone: Redis lost it (a restart without persistence). Not the
                // client's fault: it hears of a gap, then gets every entry the room gets from now on.
                start = StreamPosition.ZERO;
            }
            sockets.send(member.ctx, positionFrame(start));
            member.sentUpTo = start;
            if (start != member.resume || gap(member.resume, replay)) {
                gaps.incrementAndGet();
                sockets.send(member.ctx, gapFrame(member.resume, replay.first() == null ? StreamPosition.ZERO : replay.first()));
            }
        }
        for (RoomLog.Entry e : replay.entries()) {
            sendIfNew(member, e);
            replayed.incrementAndGet();
        }
        if (replay.entries().size() >= REPLAY_CHUNK) {
            readReplay(member, member.sentUpTo, member.sentUpTo.next());
            return;
        }
        List<RoomLog.Entry> buffered = member.waiting;
        member.waiting = null;
        for (RoomLog.Entry e : buffered) {
            sendIfNew(member, e);
        }
    }

    /**
     * Whether entries after {@code asked} may be missing: it is no longer held, it is older than the oldest
     * entry held, and either the stream is at its retention (trimmed: MAXLEN ~ never trims below it) or
     * {@code asked} is a real position (not 0-0) that a stream shorter than its retention no longer holds,
     * which only a lost stream does (Redis restarted empty, and the room got new entries since). Errs
     * towards a gap: it may also be sent when exactly the asked entry itself, and nothing after it, went.
     */
    private boolean gap(StreamPosition asked, RoomLog.Replay replay) {
        return !replay.holds() && replay.first() != null && replay.first().after(asked)
                && (replay.length() >= retention || !asked.equals(StreamPosition.ZERO));
    }

    private void refuse(Member member) {
        refusedResumes.incrementAndGet();
        leave(member.ctx);
        sockets.close(member.ctx, 1008, BAD_RESUME);
    }

    /**
     * Runs {@code append} (of a message {@code ctx} sent) once {@code ctx}'s start position in its room is
     * known, so that the room's order puts the message after the position frame its sender got; drops it
     * when {@code ctx} is in no room (refused, or closed).
     */
    void whenStarted(WsContext ctx, Runnable append) {
        Member m = members.get(ctx.sessionId());
        if (m == null) {
            // Refused or already gone: not in a room, so its messages go nowhere (a client resends them).
            return;
        }
        if (m.held == null) {
            append.run();
        } else {
            m.held.add(append);
        }
    }

    /** Entries read from the room's stream, in order, after {@code from}. */
    void deliver(Object follow, StreamPosition from, List<RoomLog.Entry> entries) {
        Room room = (Room) follow;
        if (rooms.get(room.name) != room || room.cursor == null) {
            return;
        }
        if (from.after(room.cursor)) {
            // Cannot happen while the reader reads from the cursor it was given; say so if it does.
            log.error("room {}: entries after {} arrived while {} was the last sent", room.name, from, room.cursor);
        }
        List<Member> overflowed = new ArrayList<>(0);
        for (RoomLog.Entry e : entries) {
            if (!e.position().after(room.cursor)) {
                continue;
            }
            if (room.cursorNumber >= 0 && e.number() > room.cursorNumber + 1) {
                // Trimmed before this host read them (the retention is shorter than this host's lag):
                // its live members missed them, and are told so rather than left unaware.
                log.warn("room {}: {} entries after {} were trimmed before this host read them",
                        room.name, e.number() - room.cursorNumber - 1, room.cursor);
                for (Member m : room.members) {
                    if (m.waiting == null) {
                        gaps.incrementAndGet();
                        sockets.send(m.ctx, gapFrame(m.sentUpTo, e.position()));
                    }
                }
            }
            room.cursor = e.position();
            room.cursorNumber = e.number();
            for (Member m : room.members) {
                if (m.waiting != null) {
                    m.waiting.add(e);
                    if (m.waiting.size() > MAX_WAITING) {
                        overflowed.add(m);
                    }
                } else {
                    sendIfNew(m, e);
                }
            }
        }
        for (Member m : overflowed) {
            if (members.get(m.ctx.sessionId()) == m) {
                leave(m.ctx);
                sockets.close(m.ctx, 1011, "replay too slow: reconnect through the front door");
            }
        }
    }

    /** A frame without a position, for the room's live members (Redis is away: this host's clients only). */
    void deliverUnpositioned(String roomName, String frame) {
        Room room = rooms.get(roomName);
        if (room == null) {
            return;
        }
        for (Member m : room.members) {
            if (m.waiting == null) {
                sockets.send(m.ctx, frame);
            }
        }
    }

    private void sendIfNew(Member member, RoomLog.Entry e) {
        if (member.sentUpTo == null || e.position().after(member.sentUpTo)) {
            sockets.send(member.ctx, e.frame());
            member.sentUpTo = e.position();
        }
    }

    /** Removes {@code ctx} from its room; the last member out stops the following of the room. */
    void leave(WsContext ctx) {
        Member member = members.remove(ctx.sessionId());
        if (member == null) {
            return;
        }
        Room room = member.room;
        room.members.remove(member);
        if (room.members.isEmpty() && rooms.get(room.name) == room) {
            rooms.remove(room.name);
            roomLog.unfollow(room.name, room);
        }
    }

    static String positionFrame(StreamPosition position) {
        return "{\"type\":\"position\",\"pos\":\"" + position + "\"}";
    }

    static String gapFrame(StreamPosition requested, StreamPosition oldest) {
        return "{\"type\":\"gap\",\"requested\":\"" + requested + "\",\"oldest\":\"" + oldest + "\"}";
    }
}
