package com.salesaggregator.cli;

import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;

/**
 * Lets every option be set by an environment variable: {@code --max-out-of-orderness} is read from
 * {@code <PREFIX>MAX_OUT_OF_ORDERNESS}. A command-line value wins over the environment, and the
 * environment over the built-in default. The help and version options are never read from the
 * environment.
 */
public final class EnvironmentDefaults implements CommandLine.IDefaultValueProvider {

    private final String prefix;
    private final Map<String, String> environment;

    public EnvironmentDefaults(String prefix, Map<String, String> environment) {
        this.prefix = prefix;
        this.environment = Map.copyOf(environment);
    }

    /** The variable that sets the option with this long name, e.g. {@code SEEDER_RATE}. */
    public String variableFor(String longOptionName) {
        return prefix
                + longOptionName.replaceFirst("^-+", "").replace('-', '_').toUpperCase(Locale.ROOT);
    }

    @Override
    public String defaultValue(CommandLine.Model.ArgSpec argSpec) {
        // --help and --version are actions, not settings: an unrelated SEEDER_VERSION=1.2.3 in
        // the environment must neither break parsing nor print the version instead of running.
        if (argSpec instanceof CommandLine.Model.OptionSpec option
                && !option.usageHelp()
                && !option.versionHelp()) {
            return environment.get(variableFor(option.longestName()));
        }
        return null;
    }
}
