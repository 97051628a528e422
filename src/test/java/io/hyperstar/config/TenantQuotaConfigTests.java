package io.hyperstar.config;

import io.hyperstar.schedule.TenantQuota;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The tenant quota as an operator writes it in the service's configuration, read through the service's own mapping. */
class TenantQuotaConfigTests {

    private static HyperstarConfig.TenantQuotaConfig read(Map<String, String> properties) {
        // Quarkus's duration format ("10s", "30d"), as the service reads the mapping's other keys.
        SmallRyeConfig config = new SmallRyeConfigBuilder().withMapping(HyperstarConfig.class)
                .withConverter(java.time.Duration.class, 100, new io.quarkus.runtime.configuration.DurationConverter())
                .withSources(new PropertiesConfigSource(properties, "test", 500)).build();
        return config.getConfigMapping(HyperstarConfig.class).scheduler().tenantQuota();
    }

    private static TenantQuota quota(Map<String, String> properties) {
        HyperstarConfig.TenantQuotaConfig q = read(properties);
        return new TenantQuota(q.maxRunning(), q.perTenant());
    }

    @Test
    void withNothingSetNoTenantHasALimit() {
        TenantQuota q = quota(Map.of());
        assertThat(q.limit("team-a")).isZero();
        assertThat(q.perTenant()).isEmpty();
    }

    @Test
    void aDefaultLimitAndNamedTenantsOwnIncludingDottedAndDashedNames() {
        TenantQuota q = quota(Map.of(
                "hyperstar.scheduler.tenant-quota.max-running", "3",
                "hyperstar.scheduler.tenant-quota.per-tenant.team-a", "10",
                "hyperstar.scheduler.tenant-quota.per-tenant.\"acme.research\"", "1",
                "hyperstar.scheduler.tenant-quota.per-tenant.batch", "0"));
        assertThat(q.limit("team-a")).isEqualTo(10);
        assertThat(q.limit("acme.research")).isEqualTo(1);
        assertThat(q.limit("batch")).as("0: no limit for that tenant").isZero();
        assertThat(q.limit("anyone-else")).isEqualTo(3);
    }

    @Test
    void aNegativeLimitIsRefusedWithTheSettingsName() {
        assertThatThrownBy(() -> quota(Map.of("hyperstar.scheduler.tenant-quota.max-running", "-1")))
                .hasMessageContaining("tenant-quota.max-running must be >= 0");
        assertThatThrownBy(() -> quota(Map.of("hyperstar.scheduler.tenant-quota.per-tenant.team-a", "-2")))
                .hasMessageContaining("tenant-quota.per-tenant.team-a must be >= 0");
    }
}
