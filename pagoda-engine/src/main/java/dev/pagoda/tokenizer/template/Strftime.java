package dev.pagoda.tokenizer.template;

import java.time.LocalDateTime;
import java.time.format.TextStyle;
import java.util.Locale;

/** C/glibc {@code strftime} in the C locale, for transformers' {@code strftime_now(format)} global. */
final class Strftime {
    private Strftime() {
    }

    static String format(String fmt, LocalDateTime t) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < fmt.length(); i++) {
            char c = fmt.charAt(i);
            if (c != '%' || i + 1 >= fmt.length()) {
                out.append(c);
                continue;
            }
            char d = fmt.charAt(++i);
            // glibc's "%-d" style flag drops the zero padding.
            boolean noPad = d == '-' && i + 1 < fmt.length();
            if (noPad) {
                d = fmt.charAt(++i);
            }
            int hour12 = t.getHour() % 12 == 0 ? 12 : t.getHour() % 12;
            String piece = switch (d) {
                case 'Y' -> Integer.toString(t.getYear());
                case 'y' -> pad(t.getYear() % 100, 2, noPad);
                case 'm' -> pad(t.getMonthValue(), 2, noPad);
                case 'd' -> pad(t.getDayOfMonth(), 2, noPad);
                case 'e' -> noPad ? Integer.toString(t.getDayOfMonth()) : String.format("%2d", t.getDayOfMonth());
                case 'j' -> pad(t.getDayOfYear(), 3, noPad);
                case 'H' -> pad(t.getHour(), 2, noPad);
                case 'I' -> pad(hour12, 2, noPad);
                case 'M' -> pad(t.getMinute(), 2, noPad);
                case 'S' -> pad(t.getSecond(), 2, noPad);
                case 'p' -> t.getHour() < 12 ? "AM" : "PM";
                case 'b', 'h' -> t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
                case 'B' -> t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
                case 'a' -> t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
                case 'A' -> t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
                case 'F' -> format("%Y-%m-%d", t);
                case 'T' -> format("%H:%M:%S", t);
                case '%' -> "%";
                default -> "%" + (noPad ? "-" : "") + d;
            };
            out.append(piece);
        }
        return out.toString();
    }

    private static String pad(int value, int width, boolean noPad) {
        return noPad ? Integer.toString(value) : String.format("%0" + width + "d", value);
    }
}
