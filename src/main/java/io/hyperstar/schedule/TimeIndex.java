package io.hyperstar.schedule;

/**
 * Key layout of the scheduler's time index ({@link SchedulerTopology#TIME_INDEX_STORE}): two lists of experiment ids
 * in time order, kept in one store because every store costs the scheduler work at each commit, used or not. A key is
 * {@code <list>/<time, 19 digits>/<experiment id>}, so each list's (byte) order is the order of its times, then of the
 * ids, and a list is read by a range over its prefix:
 * <ul>
 *   <li>{@link #CREATED}: every experiment, by when the scheduler registered it, for the read API's newest-first list;
 *   <li>{@link #FINISHED}: the finished experiments not archived yet, by when they ended, for archiving.
 * </ul>
 * State written before the index existed gets it at the first check; a list's {@link #complete} marker, outside both
 * ranges, says it has been done.
 */
final class TimeIndex {

    static final String CREATED = "created/";
    static final String FINISHED = "finished/";

    private TimeIndex() {
    }

    static String key(String list, long timeMs, String experimentId) {
        return list + String.format("%019d/%s", timeMs, experimentId);
    }

    /** The time a key of {@code list} carries. */
    static long time(String list, String key) {
        return Long.parseLong(key.substring(list.length(), list.length() + 19));
    }

    /** The first key of the list is at or after this one (digits sort before '/'). */
    static String first(String list) {
        return list;
    }

    /** Every key of the list is before this one ('~' sorts after the digits). */
    static String last(String list) {
        return list + "~";
    }

    /** Present once the list covers every experiment of the store (state written before the index had none). */
    static String complete(String list) {
        return "~complete/" + list;
    }
}
