package com.streampulse.job.trending;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One bucket's downloads in one window, per content and region, as columns: a content's title once,
 * then its regions (indexes into {@link #regions}) and their downloads. On the wire it is one
 * record per bucket and flush instead of one per content and region; in state one value per bucket
 * and window, read and written whole with Flink's POJO serializer over a handful of arrays (no
 * reflection per entry, no Kryo).
 *
 * <p>The entries of content {@code i} are {@code [firstEntry[i], firstEntry[i + 1])}. A (content,
 * region) pair appears once. Built by {@link Builder}; treat as immutable.
 */
public class MinuteCounts {

    public String[] regions = new String[0];
    public String[] contents = new String[0];

    /** The smallest title seen for each content, so the result does not depend on arrival order. */
    public String[] titles = new String[0];

    public int[] firstEntry = {0};
    public int[] region = new int[0];
    public long[] downloads = new long[0];

    public MinuteCounts() {}

    public int entries() {
        return region.length;
    }

    /** The sum of both; neither changes. */
    public static MinuteCounts merge(MinuteCounts a, MinuteCounts b) {
        Builder merged = new Builder();
        merged.addAll(a);
        merged.addAll(b);
        return merged.build();
    }

    /** Sums downloads per content and region, in any order, into a {@link MinuteCounts}. */
    public static final class Builder {

        private final Map<String, Integer> regionIndex;
        private final List<String> regions;
        private final Map<String, Content> contents = new LinkedHashMap<>();
        private int entries;

        public Builder() {
            this(new HashMap<>(), new ArrayList<>());
        }

        /**
         * Builders that number regions in one shared dictionary (it only grows): the
         * pre-aggregator's 128 per window then look regions up in one small map that stays in the
         * CPU cache, instead of 128 cold ones. Each batch carries the whole dictionary.
         */
        Builder(Map<String, Integer> regionIndex, List<String> regions) {
            this.regionIndex = regionIndex;
            this.regions = regions;
        }

        /** Adds downloads; true when the (region, content) pair is new here. */
        public boolean add(String region, String contentId, String title, long downloads) {
            Integer r = regionIndex.get(region);
            if (r == null) {
                r = regions.size();
                regionIndex.put(region, r);
                regions.add(region);
            }
            return content(contentId, title).add(r, downloads);
        }

        public void addAll(MinuteCounts m) {
            int[] regionOf = new int[m.regions.length];
            for (int i = 0; i < m.regions.length; i++) {
                Integer r = regionIndex.get(m.regions[i]);
                if (r == null) {
                    r = regions.size();
                    regionIndex.put(m.regions[i], r);
                    regions.add(m.regions[i]);
                }
                regionOf[i] = r;
            }
            for (int i = 0; i < m.contents.length; i++) {
                Content c = content(m.contents[i], m.titles[i]);
                for (int e = m.firstEntry[i]; e < m.firstEntry[i + 1]; e++) {
                    c.add(regionOf[m.region[e]], m.downloads[e]);
                }
            }
        }

        private Content content(String contentId, String title) {
            Content c = contents.get(contentId);
            if (c == null) {
                c = new Content(title);
                contents.put(contentId, c);
            } else if (title != null && (c.title == null || title.compareTo(c.title) < 0)) {
                c.title = title;
            }
            return c;
        }

        public boolean isEmpty() {
            return contents.isEmpty();
        }

        public MinuteCounts build() {
            MinuteCounts m = new MinuteCounts();
            m.regions = regions.toArray(new String[0]);
            m.contents = new String[contents.size()];
            m.titles = new String[contents.size()];
            m.firstEntry = new int[contents.size() + 1];
            m.region = new int[entries];
            m.downloads = new long[entries];
            int i = 0;
            int e = 0;
            for (Map.Entry<String, Content> entry : contents.entrySet()) {
                Content c = entry.getValue();
                m.contents[i] = entry.getKey();
                m.titles[i] = c.title;
                System.arraycopy(c.regions, 0, m.region, e, c.size);
                System.arraycopy(c.downloads, 0, m.downloads, e, c.size);
                e += c.size;
                m.firstEntry[++i] = e;
            }
            return m;
        }

        /** One content's downloads per region (few regions each: a linear scan is cheapest). */
        private final class Content {
            String title;
            int[] regions = new int[4];
            long[] downloads = new long[4];
            int size;

            Content(String title) {
                this.title = title;
            }

            boolean add(int region, long n) {
                for (int i = 0; i < size; i++) {
                    if (regions[i] == region) {
                        downloads[i] += n;
                        return false;
                    }
                }
                if (size == regions.length) {
                    regions = Arrays.copyOf(regions, size * 2);
                    downloads = Arrays.copyOf(downloads, size * 2);
                }
                regions[size] = region;
                downloads[size++] = n;
                entries++;
                return true;
            }
        }
    }
}
