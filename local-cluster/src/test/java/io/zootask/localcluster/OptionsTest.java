package io.zootask.localcluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class OptionsTest {

    @Test
    void defaultsAreTwoMastersTwoWorkersAnEmbeddedZooKeeperAndPort8080() {
        Options options = Options.parse(new String[0]);
        assertThat(options.masters()).isEqualTo(2);
        assertThat(options.workers()).isEqualTo(2);
        assertThat(options.zookeeper()).isNull();
        assertThat(options.zookeeperPort()).isEqualTo(2181);
        assertThat(options.gatewayPort()).isEqualTo(8080);
    }

    @Test
    void countsAndAnExistingZooKeeperCanBeGiven() {
        Options options = Options.parse(new String[] {"--workers", "5", "--masters", "3", "--zookeeper",
                "zk1:2181,zk2:2181"});
        assertThat(options.workers()).isEqualTo(5);
        assertThat(options.masters()).isEqualTo(3);
        assertThat(options.zookeeper()).isEqualTo("zk1:2181,zk2:2181");
    }

    @Test
    void mistakesAreReportedNotGuessed() {
        assertThatThrownBy(() -> Options.parse(new String[] {"--workers"})).hasMessageContaining("needs a value");
        assertThatThrownBy(() -> Options.parse(new String[] {"--workers", "many"}))
                .hasMessageContaining("needs a number");
        assertThatThrownBy(() -> Options.parse(new String[] {"--wrokers", "2"})).hasMessageContaining("unknown");
    }

    @Test
    void zooKeeperCredentialsAreSplitAtTheFirstColonAndNeverPrinted() {
        Options options = Options.parse(new String[] {"--zookeeper-auth", "zootask:pa:ss"});
        assertThat(options.zookeeperUser()).isEqualTo("zootask");
        assertThat(options.zookeeperPassword()).isEqualTo("pa:ss");
        assertThat(options.toString()).contains("zootask:****").doesNotContain("pa:ss");
        assertThat(Options.parse(new String[0]).zookeeperAuth()).isNull();
        assertThatThrownBy(() -> Options.parse(new String[] {"--zookeeper-auth", "nopassword"}))
                .hasMessageContaining("USER:PASSWORD");
        assertThatThrownBy(() -> Options.parse(new String[] {"--zookeeper-auth", "user:"}))
                .hasMessageContaining("USER:PASSWORD");
    }
}
