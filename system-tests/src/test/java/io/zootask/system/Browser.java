package io.zootask.system;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven through Debian's chromedriver, both named by path so that Selenium Manager never
 * looks for (or downloads) a browser or a driver. Where they are not installed the test is skipped, saying which
 * packages bring them. Elsewhere: {@code -Dzootask.chromium=PATH -Dzootask.chromedriver=PATH}.
 */
final class Browser implements AutoCloseable {

    static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private final ChromeDriver driver;

    private Browser(ChromeDriver driver) {
        this.driver = driver;
    }

    /** A new headless browser {@code width} by 900 pixels; skips the test when Chromium or its driver is missing. */
    static Browser open(int width) {
        Path chromium = executable("zootask.chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser");
        Path chromedriver = executable("zootask.chromedriver", "/usr/bin/chromedriver");
        assumeTrue(chromium != null && chromedriver != null, "no Chromium or no chromedriver here: the dashboard's"
                + " browser tests need the Debian packages chromium and chromium-driver"
                + " (apt-get install chromium chromium-driver)");
        System.setProperty("webdriver.chrome.driver", chromedriver.toString());
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                "--window-size=" + width + ",900");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(chromedriver.toFile())
                .usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().window().setSize(new Dimension(width, 900));
        return new Browser(driver);
    }

    /** The path the system property names (and only that one), or the first of the usual ones that exists. */
    private static Path executable(String property, String... usual) {
        String named = System.getProperty(property);
        for (String candidate : named == null || named.isBlank() ? usual : new String[] {named}) {
            if (Files.isExecutable(Path.of(candidate))) {
                return Path.of(candidate);
            }
        }
        return null;
    }

    WebDriver driver() {
        return driver;
    }

    void get(String url) {
        driver.get(url);
    }

    WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    List<WebElement> findAll(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    /** The element once it is displayed. */
    WebElement visible(String css) {
        return await(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(css)));
    }

    /** Waits until {@code css} matches a displayed element whose text is {@code text}. */
    void awaitText(String css, String text) {
        await(ExpectedConditions.textToBe(By.cssSelector(css), text));
    }

    /** Waits until {@code attribute} of the element {@code css} matches is {@code value}. */
    void awaitAttribute(String css, String attribute, String value) {
        await(ExpectedConditions.attributeToBe(By.cssSelector(css), attribute, value));
    }

    <T> T await(Function<? super WebDriver, T> condition) {
        return new WebDriverWait(driver, PATIENCE).until(condition);
    }

    Object script(String script, Object... args) {
        return driver.executeScript(script, args);
    }

    /** Saves what the browser shows as {@code target/screenshots/<name>.png}. */
    Path screenshot(String name) throws IOException {
        Files.createDirectories(SCREENSHOTS);
        Path file = SCREENSHOTS.resolve(name + ".png");
        Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
        return file;
    }

    @Override
    public void close() {
        driver.quit();
    }
}
