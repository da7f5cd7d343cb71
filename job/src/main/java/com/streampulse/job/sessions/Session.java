package com.streampulse.job.sessions;

import java.util.Arrays;

/**
 * One user's open session: its first and last event time and running sums, with the distinct
 * contents, regions and devices as sorted arrays (small, and merged in any order to the same
 * result). Mutable, kept in keyed state until it can no longer grow.
 */
public class Session {

    public long start;
    public long end;
    public long downloads;
    public long failed;
    public long successfulSizeMb;
    public String[] contents = new String[0];
    public String[] regions = new String[0];
    public String[] devices = new String[0];

    public Session() {}

    public static Session of(SessionEvent e) {
        Session s = new Session();
        s.start = e.timestamp();
        s.end = e.timestamp();
        s.downloads = 1;
        s.failed = e.failed() ? 1 : 0;
        s.successfulSizeMb = e.successful() ? e.sizeMb() : 0;
        s.contents = new String[] {e.contentId()};
        s.regions = new String[] {e.region()};
        s.devices = new String[] {e.device()};
        return s;
    }

    /** True when an event at {@code time} belongs to this session (closer than the gap). */
    public boolean reaches(long time, long gapMillis) {
        return time > start - gapMillis && time < end + gapMillis;
    }

    public Session merge(Session o) {
        start = Math.min(start, o.start);
        end = Math.max(end, o.end);
        downloads += o.downloads;
        failed += o.failed;
        successfulSizeMb += o.successfulSizeMb;
        contents = union(contents, o.contents);
        regions = union(regions, o.regions);
        devices = union(devices, o.devices);
        return this;
    }

    static String[] union(String[] a, String[] b) {
        String[] out = new String[a.length + b.length];
        int i = 0;
        int j = 0;
        int n = 0;
        while (i < a.length || j < b.length) {
            int c = i == a.length ? 1 : j == b.length ? -1 : a[i].compareTo(b[j]);
            String next = c <= 0 ? a[i++] : b[j++];
            if (c == 0) {
                j++;
            }
            out[n++] = next;
        }
        return n == out.length ? out : Arrays.copyOf(out, n);
    }
}
