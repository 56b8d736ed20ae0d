package io.zootask.system;

import static io.zootask.system.ZootaskCluster.seconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.List;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.WebElement;

/**
 * The dashboard as a user sees it, in a real (headless) Chromium, on a whole zootask on a real ZooKeeper: one master,
 * two workers, a gateway. Everything is checked on the page; nothing reloads it once open.
 */
@Timeout(180)
class DashboardBrowserTest {

    @RegisterExtension
    static final ZootaskClusterExtension zootask = ZootaskClusterExtension.perClass();
    private static Gateway gateway;

    private Browser browser;

    @BeforeAll
    static void startCluster() throws Exception {
        ZootaskCluster cluster = zootask.cluster();
        gateway = cluster.gateway();
        ZooKeeper zk = cluster.plainClient();
        cluster.master("m1");
        await().atMost(seconds(20)).until(() -> "m1".equals(ZootaskCluster.activeMaster(zk)));
        cluster.worker("w1", 2, "zootask.worker.labels.pool=cpu");
        cluster.worker("w2", 2);
        await().atMost(seconds(20)).until(() -> gateway.get("/cluster").json().get("workers").size() == 2);
    }

    @AfterEach
    void screenshotAndClose(TestInfo test) throws Exception {
        if (browser != null) {
            try {
                browser.screenshot(test.getTestMethod().orElseThrow().getName());
            } finally {
                browser.close();
            }
        }
    }

    /** The dashboard, loaded, at {@code width} pixels, marked so that a reload would show (the mark would be gone). */
    private Browser dashboard(int width) {
        browser = Browser.open(width);
        browser.get(gateway.base() + "/");
        browser.visible("#tasks-table");
        browser.script("window.zootaskNotReloaded = true;");
        return browser;
    }

    private void assertNotReloaded() {
        assertThat(browser.script("return window.zootaskNotReloaded === true;")).isEqualTo(true);
    }

    /** The workers' ids as GET /cluster gives them (a worker's id is its name and an instance number). */
    private static List<String> workerIds(Gateway from) {
        List<String> ids = new java.util.ArrayList<>();
        from.get("/cluster").json().get("workers").forEach(worker -> ids.add(worker.get("id").asString()));
        return ids;
    }

    @Test
    void showsBothWorkersWithTheirSlotsAndLabels() {
        List<String> workers = workerIds(gateway);
        assertThat(workers).hasSize(2);
        dashboard(1400);
        for (String worker : workers) {
            browser.visible("#workers [data-worker-id='" + worker + "']");
            assertThat(browser.find("[data-worker-id='" + worker + "'] [data-field='slots']").getText())
                    .endsWith("/ 2 slots");
        }
        String labelled = workers.stream().filter(w -> w.startsWith("w1")).findFirst().orElseThrow();
        assertThat(browser.find("[data-worker-id='" + labelled + "'] [data-label='pool']").getText())
                .isEqualTo("pool=cpu");
        assertThat(browser.find("#cluster-leader").getText()).isEqualTo("m1");
        browser.visible("#chart canvas");
        assertThat(browser.find("#link-swagger").getAttribute("href")).endsWith("/swagger-ui.html");
        assertThat(browser.find("#link-api-docs").getAttribute("href")).endsWith("/v3/api-docs");
        // everything above ran under the page's policy: no inline script, nothing from elsewhere
        assertThat(gateway.get("/").headers().get("Content-Security-Policy")).singleElement().asString()
                .contains("default-src 'self'").contains("frame-ancestors 'none'");
        // the page, whatever the client accepts (a JSON client at the root got an empty 406)
        Gateway.Reply asJson = gateway.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(gateway.base() + "/")).header("Accept", "application/json").GET());
        assertThat(asJson.status()).isEqualTo(200);
        assertThat(asJson.contentType()).startsWith("text/html");
    }

    @Test
    void aTaskSubmittedThroughTheFormEndsDoneWithItsOutputShownWithoutAReload() {
        dashboard(1400);
        browser.find("#submit-command").sendKeys("echo \"hello from the form\"");
        browser.find("#submit-timeout").sendKeys("30");
        // not before 2 s from now: the task's page is open while it waits, and must follow it to its end
        browser.find("#submit-delay").sendKeys("2");
        browser.find("#submit-button").click();
        WebElement link = browser.visible("#submit-result-link");
        String id = link.getText();
        assertThat(id).startsWith("task-");
        link.click();

        browser.awaitAttribute("#task-state", "data-state", "done");
        browser.awaitText("#task-output", "hello from the form");
        assertThat(browser.find("#task-command").getText()).isEqualTo("echo 'hello from the form'");
        assertThat(browser.find("#task-worker").getText()).isIn(workerIds(gateway));
        assertThat(browser.find("#task-exit-code").getText()).isEqualTo("0");
        // what the API says, so the page showed the truth and not only what it was told at submission
        assertThat(gateway.task(id).get("output").asString()).isEqualTo("hello from the form\n");

        browser.find("#back-to-tasks").click();
        browser.awaitAttribute("#tasks-body tr[data-task-id='" + id + "']", "data-state", "done");
        assertNotReloaded();
    }

    @Test
    void aSubmissionTheGatewayRejectsShowsTheProblemsDetail() {
        Gateway.Reply rejected = gateway.postJson("{\"command\":[\"echo\",\"x\"],\"priority\":12}");
        assertThat(rejected.status()).isEqualTo(400);
        dashboard(1400);
        browser.find("#submit-command").sendKeys("echo x");
        browser.find("#submit-priority").sendKeys("12");
        browser.find("#submit-button").click();
        browser.awaitText("#submit-error", rejected.json().get("detail").asString());
    }

    @Test
    void tasksSubmittedOverPlainHttpAppearLiveInTheTable() throws Exception {
        dashboard(1400);
        String echo = gateway.submit("{\"command\":[\"echo\",\"from curl\"]}");
        String failing = gateway.submit("{\"command\":[\"false\"]}");
        String waiting = gateway.submit("{\"command\":[\"echo\",\"later\"],\"delaySeconds\":600}");
        String running = gateway.submit("{\"command\":[\"sleep\",\"20\"],\"priority\":7}");

        browser.awaitAttribute("#tasks-body tr[data-task-id='" + echo + "']", "data-state", "done");
        browser.awaitAttribute("#tasks-body tr[data-task-id='" + failing + "']", "data-state", "failed");
        browser.awaitAttribute("#tasks-body tr[data-task-id='" + waiting + "']", "data-state", "queued");
        browser.awaitAttribute("#tasks-body tr[data-task-id='" + running + "']", "data-state", "running");
        List<String> ids = browser.findAll("#tasks-body tr").stream().map(row -> row.getAttribute("data-task-id"))
                .toList();
        assertThat(ids.indexOf(waiting)).as("newest first").isLessThan(ids.indexOf(failing));
        assertThat(ids.indexOf(failing)).as("newest first").isLessThan(ids.indexOf(echo));
        assertThat(browser.find("#tasks-body tr[data-task-id='" + echo + "'] [data-field='command']").getText())
                .isEqualTo("echo 'from curl'");

        new org.openqa.selenium.support.ui.Select(browser.find("#state-filter")).selectByValue("failed");
        browser.await(d -> browser.findAll("#tasks-body tr").stream()
                .allMatch(row -> "failed".equals(row.getAttribute("data-state"))));
        assertThat(browser.findAll("#tasks-body tr[data-task-id='" + failing + "']")).hasSize(1);
        new org.openqa.selenium.support.ui.Select(browser.find("#state-filter")).selectByValue("");
        browser.visible("#tasks-body tr[data-task-id='" + echo + "']");
        assertNotReloaded();
        // the README's picture (docs/dashboard.png is a copy): tall enough for the table
        browser.driver().manage().window().setSize(new org.openqa.selenium.Dimension(1400, 1150));
        browser.visible("#tasks-body tr[data-task-id='" + running + "']");
        browser.screenshot("dashboard");
    }

    @Test
    void aRunningTaskCancelledFromThePageEndsCancelled() {
        dashboard(1400);
        String id = gateway.submit("{\"command\":[\"sleep\",\"60\"]}");
        browser.visible("#tasks-body tr[data-task-id='" + id + "'] a").click();
        browser.awaitAttribute("#task-state", "data-state", "running");

        browser.visible("#cancel-button").click();
        browser.awaitAttribute("#task-state", "data-state", "cancelled");
        browser.await(d -> !browser.find("#cancel-button").isDisplayed());
        assertThat(gateway.task(id).get("state").asString()).isEqualTo("cancelled");
        assertNotReloaded();
    }

    @Test
    void atFourHundredPixelsWideTheTasksTableStillShowsWithoutOverflowingThePage() {
        String id = gateway.submit("{\"command\":[\"echo\",\"narrow\"]}");
        dashboard(400);
        browser.visible("#tasks-body tr[data-task-id='" + id + "']");
        assertThat(browser.find("#tasks-table").isDisplayed()).isTrue();
        assertThat(browser.find("#submit-form").isDisplayed()).isTrue();
        long viewport = (Long) browser.script("return document.documentElement.clientWidth;");
        long page = (Long) browser.script("return document.documentElement.scrollWidth;");
        long body = (Long) browser.script("return document.body.scrollWidth;");
        assertThat(viewport).isLessThanOrEqualTo(400);
        assertThat(page).as("the page's width").isLessThanOrEqualTo(viewport);
        assertThat(body).as("the body's width").isLessThanOrEqualTo(viewport);
    }

    @Test
    void withKeysThePageAsksForOneShowsAWrongKeysDetailAndKeepsARightOneInTheSessionOnly() throws Exception {
        Gateway secured = zootask.cluster().gateway(TestKeys.allFour());
        String wrong = "not-a-key-of-this-gateway-0123";
        Gateway.Reply rejected = secured.withKey(wrong).get("/tasks");
        assertThat(rejected.status()).isEqualTo(401);
        String detail = rejected.json().get("detail").asString();

        browser = Browser.open(1400);
        browser.get(secured.base() + "/");
        browser.visible("#key-dialog");
        browser.find("#key-input").sendKeys(wrong);
        browser.find("#key-submit").click();
        browser.awaitText("#key-error", detail);
        assertThat(browser.find("#key-dialog").isDisplayed()).isTrue();

        browser.find("#key-input").clear();
        browser.find("#key-input").sendKeys(TestKeys.READER);
        browser.find("#key-submit").click();
        browser.await(d -> !browser.find("#key-dialog").isDisplayed());
        for (String worker : workerIds(secured.withKey(TestKeys.READER))) {
            browser.visible("#workers [data-worker-id='" + worker + "']");
        }
        assertThat(browser.script("return sessionStorage.getItem('zootask.apiKey');")).isEqualTo(TestKeys.READER);
        assertThat(browser.script("return localStorage.length;")).isEqualTo(0L);
        assertThat(browser.script("return document.cookie;")).isEqualTo("");
        assertThat(browser.driver().getCurrentUrl()).doesNotContain(TestKeys.READER);

        browser.visible("#forget-key").click();
        browser.visible("#key-dialog");
        assertThat(browser.script("return sessionStorage.getItem('zootask.apiKey');")).isNull();
        assertThat(browser.findAll("#workers [data-worker-id]")).isEmpty();
    }
}
