package io.hyperstar.schedule;

import java.util.Map;

/**
 * How many searches each tenant may run at once ({@code hyperstar.scheduler.tenant-quota.*}): beyond its limit a
 * tenant's searches wait in a queue of their own, in the order they were registered, and start as its running ones end.
 * Without it, a tenant that registers a hundred searches fills the trainer fleet's topic ahead of every other tenant.
 *
 * @param maxRunning the limit of every tenant not named in {@code perTenant}; 0 = no limit
 * @param perTenant  limits of named tenants, overriding {@code maxRunning}; 0 = no limit for that tenant
 */
public record TenantQuota(int maxRunning, Map<String, Integer> perTenant) {

    /** No tenant has a limit: every search starts when it is registered. */
    public static final TenantQuota NONE = new TenantQuota(0, Map.of());

    public TenantQuota {
        if (maxRunning < 0) {
            throw new IllegalArgumentException("tenant-quota.max-running must be >= 0 (0 = no limit), got " + maxRunning);
        }
        perTenant = Map.copyOf(perTenant);
        perTenant.forEach((tenant, limit) -> {
            if (limit == null || limit < 0) {
                throw new IllegalArgumentException("tenant-quota.per-tenant." + tenant + " must be >= 0 (0 = no limit), got " + limit);
            }
        });
    }

    /** The tenant's limit on running searches; 0 = none. */
    public int limit(String tenant) {
        return perTenant.getOrDefault(tenant, maxRunning);
    }
}
