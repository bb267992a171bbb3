/* Parse an iCalendar file with Debian's libical and apply its RFC 5546 (iTIP) restriction rules.
 *
 * Prints every X-LIC-ERROR libical attached (parse errors, bad values, restriction violations such
 * as a REQUEST without ATTENDEE or a CANCEL without SEQUENCE) and exits 1 when there is any; prints
 * "ok <number of VEVENTs>" and exits 0 otherwise.
 *
 * Build: cc libical_check.c $(pkg-config --cflags --libs libical) -o libical_check
 * Usage: libical_check FILE
 */
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>

static int report_errors(icalcomponent *component) {
    int errors = 0;
    for (icalproperty *p = icalcomponent_get_first_property(component, ICAL_XLICERROR_PROPERTY); p;
         p = icalcomponent_get_next_property(component, ICAL_XLICERROR_PROPERTY)) {
        printf("%s: %s\n", icalcomponent_kind_to_string(icalcomponent_isa(component)),
               icalproperty_get_xlicerror(p));
        errors++;
    }
    for (icalcomponent *c = icalcomponent_get_first_component(component, ICAL_ANY_COMPONENT); c;
         c = icalcomponent_get_next_component(component, ICAL_ANY_COMPONENT)) {
        errors += report_errors(c);
    }
    return errors;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE\n", argv[0]);
        return 2;
    }
    FILE *file = fopen(argv[1], "rb");
    if (!file) {
        perror(argv[1]);
        return 2;
    }
    fseek(file, 0, SEEK_END);
    long size = ftell(file);
    fseek(file, 0, SEEK_SET);
    char *buffer = malloc((size_t)size + 1);
    if (!buffer || fread(buffer, 1, (size_t)size, file) != (size_t)size) {
        fprintf(stderr, "cannot read %s\n", argv[1]);
        return 2;
    }
    buffer[size] = '\0';
    fclose(file);

    icalcomponent *calendar = icalparser_parse_string(buffer);
    if (!calendar || icalcomponent_isa(calendar) != ICAL_VCALENDAR_COMPONENT) {
        printf("not a VCALENDAR\n");
        return 1;
    }
    icalrestriction_check(calendar);
    int errors = report_errors(calendar);
    if (errors) {
        return 1;
    }
    printf("ok %d\n", icalcomponent_count_components(calendar, ICAL_VEVENT_COMPONENT));
    icalcomponent_free(calendar);
    free(buffer);
    return 0;
}
