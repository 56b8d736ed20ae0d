package io.zootask.worker.registration;

/**
 * Told when this worker gains and loses a registration, one call at a time: {@code registered} from the registration
 * thread, {@code abandoned} from it or from the session-deadline thread (when the server may soon expire the session).
 */
public interface RegistrationListener {

    void registered(Registration registration);

    /** The registration's session is gone: anything still running under it must stop now. */
    void abandoned(Registration registration);
}
