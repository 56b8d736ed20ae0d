package io.zootask.worker.registration;

/** Told when this worker gains and loses a registration. Called from the registration thread, one at a time. */
public interface RegistrationListener {

    void registered(Registration registration);

    /** The registration's session is gone: anything still running under it must stop now. */
    void abandoned(Registration registration);
}
