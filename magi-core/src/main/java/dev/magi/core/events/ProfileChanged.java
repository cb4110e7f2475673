package dev.magi.core.events;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A profile was saved, deleted or activated.
 *
 * @param profileName the profile that changed
 * @param activeProfile the active profile's name after the change, empty when none is active
 */
public record ProfileChanged(String profileName, String activeProfile) implements MagiEvent {

    public ProfileChanged {
        Objects.requireNonNull(profileName, "profileName");
        Objects.requireNonNull(activeProfile, "activeProfile");
    }

    @Override
    public String type() {
        return "profile";
    }

    @Override
    public Object data() {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("profileName", profileName);
        data.put("activeProfile", activeProfile);
        return data;
    }
}
