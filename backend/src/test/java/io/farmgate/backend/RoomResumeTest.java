package io.farmgate.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.farmgate.testing.RedisServerExtension;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Positions and resume on real backends and a real Redis: replay, the seam with live frames, gaps, bad resumes. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RoomResumeTest {

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newHttpClient();
    private final List<ChatBackend> backends = new ArrayList<>();
    private final List<ChatClient> clients = new ArrayList<>();

    @AfterEach
    void stop() {
        clients.forEach(ChatClient::abort);
        backends.forEach(ChatBackend::close);
    }

    private static org.awaitility.core.ConditionFactory soon() {
        return await().atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5));
    }

    private ChatBackend backend(String hostId, int retention) {
        ChatBackend b = ChatBackend.start(ChatFarm.backendConfig(redis, hostId, "").withRooms(true, retention));
        backends.add(b);
        assertThat(b.chatRelayed()).isTrue();
        return b;
    }

    private ChatClient connect(ChatBackend backend, String query) {
        ChatClient c = ChatClient.connect(http, "ws://127.0.0.1:" + backend.port() + "/chat" + query);
        clients.add(c);
        return c;
    }

    /** Connects and waits for the position frame that opens every connection. */
    private ChatClient joined(ChatBackend backend, String query) {
        ChatClient c = connect(backend, query);
        soon().until(() -> !c.positions.isEmpty() || c.closed());
        return c;
    }

    private static String chat(String id) {
        return "{\"id\": \"" + id + "\", \"type\": \"chat\", \"body\": \"" + id + "\"}";
    }

    private static JsonNode parse(String frame) {
        try {
            return JSON.readTree(frame);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + frame, e);
        }
    }

    private static List<String> positionsOf(List<String> frames) {
        return frames.stream().map(RoomResumeTest::parse).filter(f -> "chat".equals(f.path("type").asText()))
                .map(f -> f.path("pos").asText()).toList();
    }

    private static List<String> idsOf(List<String> frames) {
        return frames.stream().map(RoomResumeTest::parse).filter(f -> "chat".equals(f.path("type").asText()))
                .map(f -> f.path("id").asText()).toList();
    }

    /** The room's positions as Redis holds them, oldest first. */
    @SuppressWarnings("unchecked")
    private static List<String> streamIds(String room) {
        List<Object> entries = (List<Object>) redis.command("XRANGE", "fg:{" + ChatFarm.FARM + "}:room:" + room, "-", "+");
        return entries.stream().map(e -> (String) ((List<Object>) e).get(0)).toList();
    }

    private static String position(ChatClient c) {
        return parse(c.positions.get(0)).path("pos").asText();
    }

    @Test
    void framesCarryTheSamePositionsOnEveryHostAndAResumeReplaysWhatWasMissedThenLive() {
        ChatBackend a = backend("room-a", 1000);
        ChatBackend b = backend("room-b", 1000);
        ChatClient onA = joined(a, "?room=r1");
        ChatClient onB = joined(b, "?room=r1");
        assertThat(position(onA)).isEqualTo("0-0");
        for (int i = 1; i <= 6; i++) {
            (i % 2 == 0 ? onA : onB).send(chat("m-" + i));
        }
        soon().until(() -> onA.received.size() == 6 && onB.received.size() == 6);
        List<String> stream = streamIds("r1");
        assertThat(positionsOf(onA.received)).isEqualTo(stream).isEqualTo(positionsOf(onB.received));

        // A client that had delivered up to the second frame comes back on the other host.
        ChatClient resumed = joined(b, "?room=r1&resume=" + stream.get(1));
        assertThat(position(resumed)).isEqualTo(stream.get(1));
        soon().until(() -> resumed.received.size() == 4);
        onA.send(chat("m-7"));
        soon().until(() -> resumed.received.size() == 5);
        assertThat(positionsOf(resumed.received)).isEqualTo(streamIds("r1").subList(2, 7));
        List<String> expectedIds = new ArrayList<>(idsOf(onA.received).subList(2, 6));
        expectedIds.add("m-7");
        assertThat(idsOf(resumed.received)).isEqualTo(expectedIds);
        assertThat(a.replayedFrames() + b.replayedFrames()).isEqualTo(4);
        assertThat(a.gapsSent() + b.gapsSent()).isZero();
    }

    /**
     * Property: whatever the moment a client resumes, while other clients keep the room busy on both
     * hosts, it gets exactly the room's entries after its position, in order, once. The moments, the
     * positions resumed from and the hosts are drawn from a seeded generator; the live traffic runs
     * on its own threads meanwhile, so the replay and the live frames race at the seam.
     */
    @Test
    void aResumeUnderConcurrentLiveTrafficMissesNothingAndDuplicatesNothingAtTheSeam() throws Exception {
        ChatBackend a = backend("seam-a", 100_000);
        ChatBackend b = backend("seam-b", 100_000);
        long seed = Long.getLong("farmgate.seed", 18L);
        RandomGenerator random = RandomGeneratorFactory.of("L64X128MixRandom").create(seed);
        int trials = Integer.getInteger("farmgate.trials", 15);
        for (int trial = 0; trial < trials; trial++) {
            String room = "seam-" + trial;
            ChatClient observer = joined(a, "?room=" + room);
            ChatClient talkerA = joined(a, "?room=" + room);
            ChatClient talkerB = joined(b, "?room=" + room);
            int messages = 20 + random.nextInt(30);
            int trialNumber = trial;
            Thread talk = new Thread(() -> {
                for (int i = 0; i < messages; i++) {
                    (i % 2 == 0 ? talkerA : talkerB).send(chat("t" + trialNumber + "-" + i));
                }
            }, "talk-" + trial);
            talk.start();
            List<ChatClient> resumed = new ArrayList<>();
            List<String> resumedFrom = new ArrayList<>();
            int resumers = 1 + random.nextInt(4);
            for (int r = 0; r < resumers; r++) {
                // Wait for a random number of live frames, then resume from a random one already seen.
                int seen = random.nextInt(messages / 2);
                soon().until(() -> observer.received.size() >= seen + 1);
                List<String> known = positionsOf(observer.received);
                String from = random.nextInt(8) == 0 ? "0-0" : known.get(random.nextInt(known.size()));
                resumedFrom.add(from);
                resumed.add(connect(random.nextBoolean() ? a : b, "?room=" + room + "&resume=" + from));
            }
            talk.join(WAIT.toMillis());
            soon().until(() -> observer.received.size() == messages);
            List<String> stream = streamIds(room);
            assertThat(stream).hasSize(messages);
            for (int r = 0; r < resumers; r++) {
                ChatClient c = resumed.get(r);
                List<String> expected = stream.subList(stream.indexOf(resumedFrom.get(r)) + 1, messages);
                soon().until(() -> c.received.size() >= expected.size() || c.closed());
                assertThat(positionsOf(c.received)).as("trial %d (seed %d), resumer %d from %s", trialNumber, seed, r,
                        resumedFrom.get(r)).isEqualTo(expected);
                assertThat(c.received).hasSize(expected.size());
            }
            clients.forEach(ChatClient::abort);
            clients.clear();
        }
        assertThat(a.gapsSent() + b.gapsSent()).isZero();
    }

    @Test
    void aResumeOlderThanTheRetentionGetsAGapThenTheOldestFramesStillHeld() {
        ChatBackend a = backend("gap-a", 10);
        ChatClient sender = joined(a, "?room=g");
        for (int i = 1; i <= 400; i++) {
            sender.send(chat("g-" + i));
        }
        soon().until(() -> idsOf(sender.received).contains("g-400"));
        // Even live, a retention this short can trim entries before the host reads them: then the
        // client is told with a gap frame; never a silent loss.
        long gapFrames = sender.received.stream().filter(f -> f.startsWith("{\"type\":\"gap\"")).count();
        assertThat(idsOf(sender.received).size() == 400 || gapFrames > 0).as("400 frames, or a gap").isTrue();
        long liveGaps = a.gapsSent();
        String first = positionsOf(sender.received).get(0);
        List<String> held = streamIds("g");
        assertThat(held.size()).as("MAXLEN ~ trimmed the stream").isLessThan(400).isGreaterThanOrEqualTo(10);

        ChatClient late = joined(a, "?room=g&resume=" + first);
        soon().until(() -> late.received.size() == held.size() + 1);
        JsonNode gap = parse(late.received.get(0));
        assertThat(gap.path("type").asText()).isEqualTo("gap");
        assertThat(gap.path("requested").asText()).isEqualTo(first);
        assertThat(gap.path("oldest").asText()).isEqualTo(held.get(0));
        assertThat(positionsOf(late.received)).isEqualTo(held);
        assertThat(a.gapsSent()).isEqualTo(liveGaps + 1);

        // From 0-0 in a young room (never trimmed): everything, and no gap.
        ChatClient young = joined(a, "?room=young");
        young.send(chat("y-1"));
        soon().until(() -> young.received.size() == 1);
        ChatClient fromStart = joined(a, "?room=young&resume=0-0");
        soon().until(() -> fromStart.received.size() == 1);
        assertThat(idsOf(fromStart.received)).containsExactly("y-1");
        assertThat(a.gapsSent()).isEqualTo(liveGaps + 1);
    }

    @Test
    void whileRedisIsAwayClientsChatOnTheirHostWithoutPositionsAndArePositionedWhenItReturns() throws Exception {
        ChatBackend a = backend("away-a", 1000);
        redis.stop();
        ChatClient first = connect(a, "?room=away");
        ChatClient second = connect(a, "?room=away");
        first.send(chat("w-1"));
        soon().until(() -> second.received.size() == 1 && first.received.size() == 1);
        assertThat(idsOf(second.received)).containsExactly("w-1");
        assertThat(parse(second.received.get(0)).has("pos")).isFalse();
        assertThat(first.positions).isEmpty();
        // A resume cannot be served without the stream: closed, to come back later.
        ChatClient resuming = connect(a, "?room=away&resume=1-0");
        assertThat(resuming.closeCode).succeedsWithin(WAIT).isEqualTo(1011);

        redis.start();
        soon().until(() -> first.positions.size() == 1 && second.positions.size() == 1);
        assertThat(position(first)).isEqualTo("0-0");
        second.send(chat("w-2"));
        soon().until(() -> first.received.size() == 2);
        assertThat(positionsOf(first.received)).hasSize(2).last().isEqualTo(streamIds("away").get(0));
        assertThat(first.closed()).isFalse();
    }

    @Test
    void aResumeIntoARoomRedisLostGetsAGapThenEverythingNewInsteadOfARefusal() {
        ChatBackend a = backend("lost-a", 1000);
        ChatClient sender = joined(a, "?room=lost");
        for (int i = 1; i <= 3; i++) {
            sender.send(chat("l-" + i));
        }
        soon().until(() -> sender.received.size() == 3);
        List<String> before = positionsOf(sender.received);
        long gapsBefore = a.gapsSent();
        // Redis restarted without persistence: every room's stream is gone, so these positions are ahead of it.
        redis.command("FLUSHALL");

        ChatClient emptyRoom = joined(a, "?room=lost&resume=" + before.get(2));
        assertThat(emptyRoom.closed()).as("not refused").isFalse();
        assertThat(position(emptyRoom)).isEqualTo("0-0");
        soon().until(() -> emptyRoom.received.size() == 1);
        JsonNode gap = parse(emptyRoom.received.get(0));
        assertThat(gap.path("type").asText()).isEqualTo("gap");
        assertThat(gap.path("requested").asText()).isEqualTo(before.get(2));
        assertThat(gap.path("oldest").asText()).isEqualTo("0-0");
        sender.send(chat("l-4"));
        soon().until(() -> emptyRoom.received.size() == 2 && sender.received.size() == 4);
        List<String> refilled = streamIds("lost");
        assertThat(idsOf(emptyRoom.received)).containsExactly("l-4");
        assertThat(positionsOf(emptyRoom.received)).isEqualTo(refilled);

        // The room got new entries since: an old position it no longer holds is a gap too, then the new entries.
        ChatClient refilledRoom = joined(a, "?room=lost&resume=" + before.get(1));
        soon().until(() -> refilledRoom.received.size() == 2);
        JsonNode second = parse(refilledRoom.received.get(0));
        assertThat(second.path("type").asText()).isEqualTo("gap");
        assertThat(second.path("requested").asText()).isEqualTo(before.get(1));
        assertThat(second.path("oldest").asText()).isEqualTo(refilled.get(0));
        assertThat(positionsOf(refilledRoom.received)).isEqualTo(refilled);
        assertThat(a.gapsSent()).isEqualTo(gapsBefore + 2);
        assertThat(a.refusedResumes()).isZero();
    }

    @Test
    void aMalformedOrForgedResumeIsClosedWith1008AndNeverGetsAnotherRoomsFrames() {
        ChatBackend a = backend("bad-a", 1000);
        ChatClient inSecret = joined(a, "?room=secret");
        inSecret.send(chat("s-1"));
        inSecret.send(chat("s-2"));
        soon().until(() -> inSecret.received.size() == 2);
        ChatClient inOpen = joined(a, "?room=open");
        inOpen.send(chat("o-1"));
        soon().until(() -> inOpen.received.size() == 1);
        String secretFirst = positionsOf(inSecret.received).get(0);

        for (String bad : List.of("abc", "1-", "-1", "1-2-3", "99999999999999999999999-0", "%20", "1796-x",
                "18446744073709551615-18446744073709551615", "99999999999999-0")) {
            ChatClient c = connect(a, "?room=open&resume=" + bad);
            assertThat(c.closeCode).succeedsWithin(WAIT).as(bad).isEqualTo(1008);
            assertThat(c.closeReason).as(bad).isEqualTo("bad resume position");
            assertThat(c.received).as(bad).isEmpty();
        }
        // A position taken from another room: only the asked room's frames after it, never the other's.
        ChatClient crossed = joined(a, "?room=open&resume=" + secretFirst);
        soon().until(() -> crossed.received.size() >= 1 || crossed.closed());
        assertThat(idsOf(crossed.received)).doesNotContain("s-1", "s-2");
        assertThat(a.refusedResumes()).isEqualTo(9);
        // The backend is fine: the room still works.
        ChatClient later = joined(a, "?room=open");
        inOpen.send(chat("o-2"));
        soon().until(() -> later.received.size() == 1);
        assertThat(idsOf(later.received)).containsExactly("o-2");
    }
}
